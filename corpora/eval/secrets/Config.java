package com.example.orders;

public final class Config {
    private static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1X2ZhNjgwZjNiOTQiLCJpYXQiOjE3Mjc1NDUzOTgsImV4cCI6MTcyNzU0ODk5OH0.mvyfdMqMSRj8M9mZTIHmF-iUqZbLTasLVyX91anU0o-";
    private static final String CREDENTIAL = "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";
    private static final String UPSTREAM_AUTH = "hf_WUwHTMcolnFor38PQIS1ugO7EVgCUl51jX";
    private static final String ATLASSIAN_TOKEN = "ATATT3oERvtq5VBy6yvVU0BarM_B6UANbZeJa6wnzfB79GdSE_e8W4uCM7_b9fUBdZGyFLc6bUbh0t976NKS-Jp9QjPAK2YtDBHCYaQFc9gM1z9fBLf6fRlx1GhA_4wHYKIaMH7LZrM5tm4LIXJkz5ELLHzdLwWJHWM-nLD9tcaz43X7_asCkX3RIZ=CCB0579C";
    private static final String GITHUB_TOKEN = "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";
    private static final String AUTH = "AGE-SECRET-KEY-1WDQCEKFAURHSY0RQJCFFQPT4E5Y9FKLWDRFR5MK4ZXJERFYF2ZTJYGWHP3";
    private static final String GITHUB_TOKEN_2 = "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";
    private static final String GITHUB_TOKEN_3 = "ghs_Ic6w0tk6zPWSsA69Sk0V1YQkIGqvBV08wTf8";
    static final String CREDENTIAL_2 = """
-----BEGIN PRIVATE KEY-----
5wNbLGyBJrhGZjICV/QhISreWlN0/8UGzgunTPEb9d+R0V5/jL2RqAhj4Kw3UrUp
3H2OwoLo0g0n2jjg7wXBfwKtNxu62DZDHVqb9UDjv1Hdww6DkNeOwYWfd23aOZnV
Fohn4VW6PKuVFyq1fckX0ARmbTXkVi2vQlt5XsoiA9W7F6hy9BQr725nx786CWmh
1MCpTLlZ5MYSrJjMiwfBYCMujqoaW89lS9Rx2QIVBSMJDHK4Iz1QCLOI5wcEl+q9
adtB/K0d3SG//j8Ms7j4xnuswWA378VFU2x4fHP6p4bqDPK2f9pRUMAZs4yBVGRz
mcHuiiMaQpPfHD/4WfWM2Sak75ix03SHgFtLh7p9id9tSJ73nzkZpoShjJus9J8O
3fpYKuawxKKOmFMrcyQu+3TK==
-----END PRIVATE KEY-----""";
    private static final String TWILIO_KEY = "SK9e7de53c287f7b97b3c55341f61956a6";
    private static final String GITHUB_TOKEN_4 = "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";
    private static final String UPSTREAM_AUTH_2 = "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";
    private static final String NPM_TOKEN = "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";
    private static final String DIGITALOCEAN_TOKEN = "dop_v1_a5cf11b6a1ca951e6fc03dd41310f050543f200aa6714f06c2d8e98af8ad933f";
    private static final String GITHUB_TOKEN_5 = "ghu_F1YqjpG1pkI8i4ZJJ0mkfp7UUTmrtq0d5Mi0";
    private static final String CREDENTIAL_3 = "lin_api_NQ7UIwt4DqOJTwR0pk6JjWZE0bD0cN2z6LutfxzD";
}
