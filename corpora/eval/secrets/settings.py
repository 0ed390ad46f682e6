"""Settings for the orders service."""
import os

DEBUG = False
client_0 = Client(github_token="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", timeout=30)
GITHUB_TOKEN_2 = os.environ.get("GITHUB_TOKEN_2", "ghu_6AuefxmIfyul5tzzf0A5ZHxWkPLaji2eiw6H")
DIGITALOCEAN_TOKEN = os.environ.get("DIGITALOCEAN_TOKEN", "dop_v1_07e840ec4c312f4ae807bb0f41f68b3e789194607916e21660b817121a55a593")
AUTH = "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"
HEADERS_4 = ["aws_secret_access_key = tk0+DhEdLiKEv8bcB/0SQxFKo7YvrJnrIPrSItX6"]
GOOGLE_API_KEY = "AIzaO3m5XGpySu-oJRrq45wTBzwIxNiDyrN0Lkj"
UPSTREAM_AUTH = "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"
client_7 = Client(sendgrid_api_key="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", timeout=30)
TWILIO_KEY = "SKc4c5d1d9b0b2357ce13b486275f1806f"
CLIENT_AUTH = "ghs_ElULdYc5dvH3BVYxPoZpW2o1k2olMi0H2Gy7"
UPSTREAM_AUTH_2 = os.environ.get("UPSTREAM_AUTH_2", "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")
client_11 = Client(huggingface_token="hf_stLYspQ70UqFe083bCrUaqaVoQ6jSMyi8b", timeout=30)
CREDENTIAL = "AKIALKUO3JJRA7PM5DBB"
ANTHROPIC_API_KEY = os.environ.get("ANTHROPIC_API_KEY", "sk-ant-api03-5aVTlyN-p38N3ujnT_zSYDBcSyTnSLvTLVXmyyn7S9diYWyTOW5zmQ8zNFqv35O6A9g84kdi3EgrXeQBsKZFUzCVHqg7SAA")
