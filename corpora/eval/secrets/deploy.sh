#!/usr/bin/env bash
set -euo pipefail

docker login --username deploy --password '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' registry.example.net # github_token
export NPM_TOKEN='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'
export CREDENTIAL='glpat-izyl1aGKjtWZzm_lvCuo'
export ACCESS='AIzaynbVwgLVSg6MkymvnNTubBK53_-EP4-fxJJ'
export LINEAR_API_KEY='lin_api_RmrrKFdVdKgmhn3BBvnuXh9uFq9dGnpNvvWFYYNK'
docker login --username deploy --password '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' registry.example.net # stripe_key
export AUTH='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'
curl -fsS -H 'Authorization: Bearer 6yfg150qmbckdB_lLxzG1MAvX4FD8F0wiM-daWEI' https://api.example.net/v1/status
export GITHUB_TOKEN='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'
docker login --username deploy --password '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' registry.example.net # sendgrid_api_key
export GITHUB_TOKEN='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'
export HUGGINGFACE_TOKEN='hf_EByXHmVDySbUH4TtDT6ed9bo1v9vTAIRFb'
export CREDENTIAL='ghs_QBVmpmp2IuPf3Kw6zKdKSOzUueJcXh4L5ebK'
export GITHUB_TOKEN='ghu_kodfqt3y90GCgrrhRNS8tbkWcv1dzQ4MyMVN'
export SLACK_TOKEN='xoxb-28898818790-5221360662190-yhAfrH89E7Fvccqf6PBdJhJ6'
curl -fsS -H 'aws_secret_access_key = V/ucTwfDVY9N8s8vvkWWIYTi8IWJ9F5bGxl+euer' https://api.example.net/v1/status
export DIGITALOCEAN_TOKEN='dop_v1_91406741ef213601a028e4949cf4041d38b306e0fb196ade9a9874607da896e6'
export AWS_ACCESS_KEY_ID='AKIARS7NOC6POVTUDAKN'
docker login --username deploy --password 'SK44836a56e7ca9b53bbf02efe45fdd062' registry.example.net # twilio_key
docker login --username deploy --password '-----BEGIN PRIVATE KEY-----
62ElhTesktffdtl4cTOrIGRBMpvdTxexAngDkW1Ef0Q52nUgU+VzLSLUhOzib6/M
wp/0ShERi/KmXq3uEdw7tI3rWT6sMqC25UWg0ekXhW8RC9yoUDDDzhH8aFnxKVdi
afK15RFb12jWekWwDj4ep6GJAfrJr9sG051hwoo71PUiV10/85nhLoi7i2m9fiQn
nNP1NlgHiK9uc4hgV0JFoy3aZ0mDmqwwHfeFAeAsjcQeoWoY6gj9a/DISVgmrtTK
WZQ4hCDrO1p1Gx5gEZYVTlfibYyqz7yUp0uzukm8XoemjETZAu/zPcUfzyY9C0AP
o1LA9RRsndiKxzpJ68oztt9RJj/vksYR0XmZSMsx+Oyn8+1W/9/AWEc3bXsv1EjP
bKVjSu7XRPtjYb3ruj4Alsh3==
-----END PRIVATE KEY-----' registry.example.net # private_key
export ATLASSIAN_TOKEN='ATATT3dfg-v1D5oXcL_gFVwNuxbXQhdyGsMwFf9LBW8bcUXDGjymOqiop4h_A1j6LXmc6mrZ91RyXSetRDWrQGW6x55tRZu3X5_BrAlFuiqCerIhn5pEBAC6RP00CkU-p12x8yGhWH22VnHanYAZyYTnX6IrLjYDzZUMq0o-5LAec9KLxSHHz7dRgq=FB4F37E0'
curl -fsS -H 'password=dl3bIk#T6yhBBh7' https://api.example.net/v1/status
export GITHUB_TOKEN='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'
export AUTH='AGE-SECRET-KEY-1NQYP3M882VJG9V0FU7CFSFYHQ9MR2Q7CNK4Y7XWDUT6GAYJ9SC6GMZNTKC'
docker login --username deploy --password 'sk-ant-api03-DA_UFr_8lHqWCYoiY5GgUgmFJKE9dWrgN1T9P2icxiCFacKvvqbqWrFEVNMLxRhs016dCgWqoptp-HVUBifDJ61zIqkCwAA' registry.example.net # credential
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1X2Y4OTk5NjNhMDEiLCJpYXQiOjE3MTIyMjU2OTQsImV4cCI6MTcxMjIyOTI5NH0.QPhlhn4V6JA6JaTG5asMVfR7JcyMsx8mtCLfh-nGuli' registry.example.net # jwt
