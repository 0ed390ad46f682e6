"""Settings for the orders service."""
import os

DEBUG = False
client_0 = Client(github_token="ghs_rBMmveQeKijw8HmpWDECbWl6zP9iK63zHqs9", timeout=30)
GOOGLE_API_KEY = "AIzafdzE8srUI7yd3vY1iFqJg4cL4LUkJ2iWB2t"
SHOPIFY_TOKEN = os.environ.get("SHOPIFY_TOKEN", "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")
GITHUB_TOKEN = "ghu_58SLlflZ38agQwnxN1HdS64qBP5JXd1ahwnW"
HUGGINGFACE_TOKEN = "hf_OCU44B6Gf24gNnVK9kV3xwH2ipwrcoCQix"
CREDENTIAL = "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"
HEADERS_6 = ["password=O7*PSxWzf4pOS77"]
SLACK_TOKEN = os.environ.get("SLACK_TOKEN", "xoxb-36811761673-6778920077893-3X0Lgb58yQlNo3hnkAmJfdjl")
client_8 = Client(access="dop_v1_642b36c800ebd2a6b978d11cde3d36fb2f3849163c19b64e036b820348c69bab", timeout=30)
AWS_ACCESS_KEY_ID = "AKIAVQJOKAPPS6MPPHWT"
client_10 = Client(stripe_key="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", timeout=30)
HEADERS_11 = ["aws_secret_access_key = P93Y8/+s69NudNVLgA2Bn6n1RyDahYxpGspIv8mc"]
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "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")
AUTH = os.environ.get("AUTH", "sk-ant-api03-1fQMgalfSsrXgyf9HW89rC2NHFTWkotBXhJ_LRy3VGNkAV5hR7DDU9KK_uSC5n3e0k1x5i4os70xMN0FbzlzGZxIeV7VQAA")
client_14 = Client(sendgrid_api_key="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", timeout=30)
NPM_TOKEN = "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"
client_16 = Client(linear_api_key="lin_api_InMckIqiLClmefrq0w8gb0G3HsESTPWG79dblVLx", timeout=30)
ATLASSIAN_TOKEN = "ATATT3H1phM40Jcxay7wIGOjF7ONB5NjHGUPwaWOSGpyS8a30xQRa_-MqW6HhSziUbTZ-fY19CWtw87tBg_dyLWIdL-7vs9kYhOzVZXN6qKii4-8Wk7gixIfNRBm1JAO3JW01dgTirwKyroyVA5Nfrb_EoVFQYtRbklHOotmYxltChDDEY8KOGGrse=1D74F42D"
UPSTREAM_AUTH = os.environ.get("UPSTREAM_AUTH", "glpat-45j-i3P1vQ9qgnGehuyc")
UPSTREAM_AUTH = os.environ.get("UPSTREAM_AUTH", "AGE-SECRET-KEY-1HVJV872SMAGT79H8WKJL048VXVCVZN6AW6UXZ7V3AX4JH4Q8QE50CCS3ZN")
TWILIO_KEY = "SK874ea1a330770800b406dc98e3835ed1"
HEADERS_21 = ["Authorization: Bearer 3t3BMVW68Kfu0S0A8-bFRDTK0SnRPbIu-jGl1L9o"]
UPSTREAM_AUTH = os.environ.get("UPSTREAM_AUTH", """-----BEGIN PRIVATE KEY-----
720k+ONxs/b3jKTu6RjNaREVJ9/uVoruPopFvNxP7IV5mQK7WaUfBTPfaMFdSKzd
cPcy+CyWeXrWxxKV9reDWKrBBjL5dfYgaU6TFxoy+zo9eFlNprDgasdZeZbzm9An
17DycqAzK9J+mEV2NFGRRBB+FIk1JP2SqLcVALml/3KkY/gvV6bGIXwYRKr/FUC8
58rQj5fLhOhDJzjBqvsK/KDMJRIUrQRbJsU4LKGxeoFwI3O36BV4pYByk8c+R2k+
PlN+6qgc61lRLZf4IclyEW4cCW9MiXEdz/HdTDS4NaH46TkyufncL6+uINS89S7f
4QiHIg2/apncyWOctit7n1BLPi7iDSlpK14IpmViFz9ia125nqXW8e6fuszoRya0
QtZph7ijyZN+PEq/Hv/10stx==
-----END PRIVATE KEY-----""")
GITHUB_TOKEN = "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"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzI0MDhhYTJmYWQiLCJpYXQiOjE3MzMyOTI0OTYsImV4cCI6MTczMzI5NjA5Nn0.Pr8Y9G4u8iDWohXVTICOcY4cIB_P7AOsHH0j00H_A6D"
client_25 = Client(access="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", timeout=30)
