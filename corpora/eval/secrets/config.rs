//! Service configuration.

pub const HEADER_0: &str = r#"password=vZP7-L17RFmhzx7"#;
pub const ANTHROPIC_API_KEY: &str = r#"sk-ant-api03-lKZcd0fhm-i50I6SdiCRoYbeQQwIZRWrpn-eOj0IlTm0kHHBNwggsAMZHSnfoFt0_XCz3uhmfAhNKf8mDat8VDpPFPhoRAA"#;
pub const GOOGLE_API_KEY: &str = r#"AIza4iQc66TX7CoYhCWM7iWxvh0ukN7WkcF6Pgd"#;
pub const ACCESS: &str = r#"AKIAXRLXO57O4RJMLNLJ"#;
pub const DIGITALOCEAN_TOKEN: &str = r#"dop_v1_d96236967458a29fc77f6a58e23d14163ac334be3eb8f836fd45ca78959b7626"#;
pub const HEADER_5: &str = r#"aws_secret_access_key = CP9PVb2pJx2LHpu9DXprcfYm6uJ/WQ7UqqjR+TsT"#;
pub const ACCESS: &str = r#"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"#;
pub const GITHUB_TOKEN: &str = r#"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"#;
pub const SLACK_TOKEN: &str = r#"xoxb-51681016823-8126613526779-cJsQXWIUcDzmaaKBKwslFt3X"#;
pub const PRIVATE_KEY: &str = r#"-----BEGIN PRIVATE KEY-----
l80SS5Zxqsmx5k2yStGc2V4o5siWA2OztNrnYa3DB9kg/zuvtOW2cmrZWUUJM3c2
juOiJ6y62ibAi8ALK+huV6EzCtkycnmKM8MCj1+ww9Yjl8G6uKxD9fLBKdrFu3lj
EMVpSkoPdUdD5lMuMt2ryuavEWqOW58/g4V25kMmaoMf8zY+b6klMMOBRyuxL2pk
99kzeLKX1I8Nfjt3SxBiHcE++nKONOyOvECNT72VX6TL8MbWKyLSiwrSp+ronJxJ
cg5lO5t34gly5eKJ4po1N1t25Z33X64LGdc2zJ+rtcyI6Md/dxuqqAUPxHGnpkOS
MYg1h/yk9VyvLo4BaHJHGtj7XoNTbEzDy1dwCg1M6oYX8HxmhxW3CmxB3GOECWp0
CClXM6IvQra7K6ZQBccY3qh5==
-----END PRIVATE KEY-----"#;
pub const GITHUB_TOKEN: &str = r#"ghu_BC5isQMiEvIJrD4gS4Czh27oA1ytoA1NwmHM"#;
pub const UPSTREAM_AUTH: &str = r#"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"#;
pub const ACCESS: &str = r#"ghs_nBkVx5YGPYt6mUZFIulODh54dJxNIe0qaiE4"#;
pub const TWILIO_KEY: &str = r#"SKa3ae95a981454e7ced57882e216be81a"#;
pub const HEADER_14: &str = r#"Authorization: Bearer abP-OKFma5j4ljmsmpTrr7u_RupbRoRc_ROgyf4D"#;
pub const AGE_SECRET_KEY: &str = r#"AGE-SECRET-KEY-1ENUWK63E5Y0AV0FWYN8Q8HQC6R5LQ7Z23PNCT5C0AWLU50PP3240AW2C77"#;
pub const GITHUB_TOKEN: &str = r#"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"#;
pub const CREDENTIAL: &str = r#"glpat-youZ76y9S4hfEV9eRxAU"#;
pub const GITHUB_TOKEN: &str = r#"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"#;
pub const STRIPE_KEY: &str = r#"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"#;
pub const JWT: &str = r#"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzE4MDkyZTc4YTQiLCJpYXQiOjE3NDE3NTA4OTMsImV4cCI6MTc0MTc1NDQ5M30.AITtSXOndvioj7En1afVXoxrsbVsmt11VwGpMabmg49"#;
pub const ACCESS: &str = r#"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"#;
pub const SHOPIFY_TOKEN: &str = r#"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"#;
pub const HUGGINGFACE_TOKEN: &str = r#"hf_kBDHaB5p3GQV343e10TWs6GFQ8lweabio0"#;
pub const LINEAR_API_KEY: &str = r#"lin_api_fy60b4JmvUV9SPhli1WeUMHAJM9Qqvd22uWbuGL9"#;
pub const ATLASSIAN_TOKEN: &str = r#"ATATT30pVciQcqxnX8CuthP38k7fMp4OP3it5QneIDYPRr4uGLiFiLXHe_UVrvBdwC9pRSNJDkePI68waUp-s_CFxs4-gesh_5up1q1UuhABpbqf0IIx1VGt67BWSWyi7rW0qxwtyQR1fowdq_KAmKfyhH69vhq9tXbCasel2k2Nt6e1iUqJloih4_=7B887A85"#;
