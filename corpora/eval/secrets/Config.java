package com.example.orders;

public final class Config {
    private static final String DIGITALOCEAN_TOKEN = "dop_v1_9cc1cc3ae1812341de0c8167c9fd07edffafdc7d2c70d7246784fc99f761328d";
    private static final String TWILIO_KEY = "SKee94412c30538b6084958f0f5067244c";
    private static final String GITHUB_TOKEN = "ghs_WwaCQJy7QUWZt4RyhRE47007nqMIt42Yl1HF";
    private static final String GITHUB_TOKEN_2 = "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";
    private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzMzNDVmYTI0Y2YiLCJpYXQiOjE3MzY4NTE3NzYsImV4cCI6MTczNjg1NTM3Nn0.UBTiR7Pj5TMKlAiIgbQj2vPI1m6zbLS36quj-2d-bcx";
    private static final String SHOPIFY_TOKEN = "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";
    private static final String AGE_SECRET_KEY = "AGE-SECRET-KEY-184VQV6CHJYHU2X8UC9F85R7W4HEY48P6N23DKHPJ25LWGRRP48U6HQYRH5";
    private static final String CLIENT_AUTH = "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";
    private static final String AUTH = "ATATT3iU2c6Pq5TyP4i_ehFYnNntTXbR6A3rEJJkxRqvG2ov4MxUYrh7BgfUXmlULBx9UOkltw-1FoDyBmaOVTVra8GTpOaro1xZ79jmbBtrtdhzr0uFDojW8JEmO_wwpczGesxtOLIL3XP2P7zMFEKHNrCp1-HpAiuei6VOLlFU-8Kv32X6stwQWT=D64B3BFF";
    private static final String LINEAR_API_KEY = "lin_api_TyHk2ieQ8Dv4jRsuf8Cz8t6iXYECWCybtmNPHcPK";
    private static final String GITHUB_TOKEN_3 = "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";
    private static final String GITHUB_TOKEN_4 = "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";
    private static final String HUGGINGFACE_TOKEN = "hf_tQnZy6OdHCqF4GckoKic2anj4Wn2yHWYE2";
    static final String PRIVATE_KEY = """
-----BEGIN PRIVATE KEY-----
jFc0YCbpcxkk4izIE/FYBglPBQFDieK77Gz6PHkC8ndp6Bdn4aQFjlQ/oFlHyOHM
Ek0Z6jJsV/5gpBs9KXHNOrDtd6PSKI7HTywfxaLzIy1zz/ljopvGqrUJc8ymYdbb
UJsOv3gIZZ/g+cyDPV4LNlp+PkcKXsly/0fWyP3WYWnvfRhySxx904CaoGgMRzcy
ekyNn37iHRw6PGYsmd1W2560l419u9sQDYUJk7/ieOo9yeTXCw++HmVQ9DDwqYy+
OSND8toGMWYMlHkb1hgMIITTrBm2GTrsJOB9CMBGvoNqBd2Jqq6q3hJmgPYRBk80
UbKDnZkosl7xEA5rEUcoE4A62Fhv7Uit9eIFbao8ba+hNFf4ZQS7kvgyCHq/chcZ
CAHXXdnL7A5+fjcfc2BuCMbH==
-----END PRIVATE KEY-----""";
    private static final String NPM_TOKEN = "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";
    private static final String GITHUB_TOKEN_5 = "ghu_P2iYEEfYINOcUhs1wS6kg0XKWbZQ9a0iRqLe";
}
