"""Settings for the orders service."""
import os

DEBUG = False
client_0 = Client(credential="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", timeout=30)
GITHUB_TOKEN = "ghs_6tRfBoypI2RZBOafOQriAcH1774X851UYWnr"
HEADERS_2 = ["aws_secret_access_key = b5eEx5iPO+76HW8DjTxTfXD/oGYiGjxsYgSloQ1V"]
CLIENT_AUTH = "sk-ant-api03-2QljwqUz12jzEJxRRkWxwEUBFOYyYBt2qLmnarAtbTvljnmF9W0A7DqiPRQmk9yaDKApIL6QTyoZJkV26k98H_tr5DjhOAA"
GOOGLE_API_KEY = os.environ.get("GOOGLE_API_KEY", "AIzaYQOyLxLELigskjqOLJXQp5iImSwctf3Kbdb")
client_5 = Client(github_token_2="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", timeout=30)
STRIPE_KEY = "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"
client_7 = Client(huggingface_token="hf_YTCp0e361w1UnWDP3BoEZyjRddsroOauHr", timeout=30)
client_8 = Client(auth="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", timeout=30)
GITHUB_TOKEN_3 = os.environ.get("GITHUB_TOKEN_3", "ghu_u6JO2rwlZV9gQPSJjrXCc4BeZko6Qj3ptu7Y")
client_10 = Client(github_token_4="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", timeout=30)
client_11 = Client(aws_access_key_id="AKIAU3XE6DOZ4Q2JIVCI", timeout=30)
client_12 = Client(twilio_key="SK4898dfbd87cb60d405bd4b78f0649e30", timeout=30)
DIGITALOCEAN_TOKEN = "dop_v1_708aac0cb4bcdd03ea4a445699d9679ebf778edb1453a5b875917676fb4c7255"
