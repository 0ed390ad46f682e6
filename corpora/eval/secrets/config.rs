//! Service configuration.

pub const PRIVATE_KEY: &str = r#"-----BEGIN PRIVATE KEY-----
OJy33o9N9dt98JTvqs0tLeV5acNLTW0XdBgZAxtutWOC095QrcdnNhciEiXMWYKA
wx2gszR+6D5yYqK3xKnvGLMHg+unYReAAvDK5K6XfMN0bJ1lkQ33s8thXBw27h0W
89JwMI8x2vrhufrAlSRaQz23J2eoLnCc+XYpMK6nhVRiRkbiAiXyBWZ4EVTr2a1G
77qYrPZTAr4OUQZdFPp/goRORgnAu/f0RJe7k3DiAvdUfUkzSBuhuKZ9CUUQsRUg
V9fGCVxzIFkxGxlmTAnJiAG9ZYtrO1q4+q/o0lBaVj+kRa4zrg8mcoDt1nnFS+Sq
XGp2zcwEl0YcQdluIQyVDpUW+cggytCHw22C3R7bomQJYfZH7cg7iSxqPMZrOZel
u45WVvhLN12EksuW+39T4ctd==
-----END PRIVATE KEY-----"#;
pub const AGE_SECRET_KEY: &str = r#"AGE-SECRET-KEY-1RX4DQZUH777YHCXFPDPTHGQ3X57JMYSSLYEG45ZXAVPTDZ2ZKVLPF6ZMAJ"#;
pub const CREDENTIAL: &str = r#"ghu_FdJqGkhX43s59CfjbpbpfuZFVLWZI33w6bqw"#;
pub const GITHUB_TOKEN: &str = r#"ghs_s0FWN89qw9J7aaADpeY1y3yQjKI0Tr2W9ZDH"#;
pub const GITHUB_TOKEN_2: &str = r#"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"#;
pub const ACCESS: &str = r#"lin_api_mRiW3ErztFd8seHZHu3B4afqaKgah7jcsjNCIXvL"#;
pub const JWT: &str = r#"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1X2IyMTgzZjNmY2QiLCJpYXQiOjE3MzEyNDk3NzUsImV4cCI6MTczMTI1MzM3NX0.XGeRl0aOGuWfZpfurnrnwFrbU4-bv_24r1OKxrhEE1C"#;
pub const HUGGINGFACE_TOKEN: &str = r#"hf_c0xQnKSluGcxpi3A7sMvy9dlMiwYl8d2Sl"#;
pub const GITLAB_TOKEN: &str = r#"glpat-L8J89_EMHrFrtZeV4wN-"#;
pub const DIGITALOCEAN_TOKEN: &str = r#"dop_v1_6ed2f57570622014be5534200a85bbe3977bba27be6a2cd52383596020f8be99"#;
pub const CREDENTIAL_2: &str = r#"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"#;
pub const GITHUB_TOKEN_3: &str = r#"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"#;
pub const HEADER_12: &str = r#"password=hBE96a1k%X678Y5"#;
pub const ATLASSIAN_TOKEN: &str = r#"ATATT35pXZidYVY-V405Mbn-WhxPnXfAVQGemniTYRn-aG7izqwVfrEsCoe8-L7maaGojGCydjZYlPP5rPQ9Z7CcoWHv1EH_UabGN-uGC4Cjdh3ctnhdiHrbV2ehdJUzo8OStwJD360vXJP5QTQA_4bjqrM3THudorn3_812YBLkl5Gbt6StRQCf50=629D0918"#;
pub const SHOPIFY_TOKEN: &str = r#"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"#;
pub const GITHUB_TOKEN_4: &str = r#"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"#;
