//! Service configuration.

pub const LINEAR_API_KEY: &str = r#"lin_api_m4zubTucQ9Peu25p8lz9x28okWqwUeopXPJ4BLqI"#;
pub const NPM_TOKEN: &str = r#"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"#;
pub const CREDENTIAL: &str = r#"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"#;
pub const AGE_SECRET_KEY: &str = r#"AGE-SECRET-KEY-1V64HJZVKYFJEKP6X2ZWQD7VMTJEAJQKWD0VC97SMYYQYQ9UT77X5C0CQ5Y"#;
pub const CLIENT_AUTH: &str = r#"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1Xzg0MzVjN2U4NmEiLCJpYXQiOjE3MTUzMzIxODQsImV4cCI6MTcxNTMzNTc4NH0.NMaOhbGSx29lO_97cLoDeg7a0H9xmXLlaYLuEd2WtmC"#;
pub const PRIVATE_KEY: &str = r#"-----BEGIN PRIVATE KEY-----
DiaYUwGXqOmY5xlo0KefQbB6pXM+SE3CQufOFUKTwuVcDeCOpM7MuqePpWUeH+p0
DyI8K9VCerTnrjy/fwV6+NcmZCb8BZkBxQCTu6471VvE8GW8JiEHg8iyWa7WG4J5
0BBgFGgiRDaZ9pB5keuh+X7+TFPDLSHOhej70/Nece/e8MRibEA9v8kpAXuSNeSQ
vdsdjk1lIwDEGjblFtd6apmaL3WKfKwA8vH9UrEvItd9uSnjw9yOj06HNOEWnwcE
U731F3svWd+E/Lmm9uhhAGn4C4NVHZKJw3RzUZlAfUb3Lzh4UL1gBzeBDYCxZrZ7
GlENKP1uC7UMu64tOv1Z2OFLLcCokCYzZhKO6CQu18mTqSrStbe/MCHOThC2hVTf
fii8KW3H2CZzSK6HCqDruixD==
-----END PRIVATE KEY-----"#;
pub const HEADER_6: &str = r#"password=hninyYtJm3a-T32"#;
pub const GITHUB_TOKEN: &str = r#"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"#;
pub const ACCESS: &str = r#"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"#;
pub const GITHUB_TOKEN_2: &str = r#"ghs_T4tVqzWqNKAAf5JyeeL4ebOJVaE1l94GuI31"#;
pub const GITHUB_TOKEN_3: &str = r#"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"#;
pub const AUTH: &str = r#"glpat-eo8L6QwFRiS0QRmFvdkE"#;
pub const HUGGINGFACE_TOKEN: &str = r#"hf_BNCGS36K5cK8JtFt3ACXhLhWHeWr4gVCkE"#;
pub const DIGITALOCEAN_TOKEN: &str = r#"dop_v1_02134737866f80f2789b2acac77e1cd0f47fa2ece11840ed9d62c5f42ea68e85"#;
pub const AUTH_2: &str = r#"ghu_cooZBYsCA9MBcHutpuIR6L6uKD19ZX3M5QGj"#;
pub const ATLASSIAN_TOKEN: &str = r#"ATATT3gg8BLmypvUo_Sl3PULKgR4IVI81b6p2CnjvIU6wGFWxLtKbQGo3C1cHSil0b36jVwtyebnHusACl3I5F2l1Mt3vhZq5TPrKO0K2cY-Q6dX4MZxlFaZJ6Kp_AA9VXDiM3KxwIRIRyVgiphOVb-UATlQ5LoV-tYkBWievC2RDQ_IjH005t22fG=0CB88E7B"#;
