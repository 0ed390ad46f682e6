#!/usr/bin/env bash
set -euo pipefail

export ATLASSIAN_TOKEN='ATATT3bK97FSADTwbWCnayItaAqyk0m37hYutV7uR3o9nQmfyVGauSuFtfSCxce130jJpdFJCNKa4QMk7Qm7zMsvuDDjl3AoqOMrnVYJsQywa1737f9ktsyvrhxmhkm1XphChE1iqFFz4aG9jH0zY4QIxbNOiuVdIf2Dx2MobqxMFk7i9rr4ylfwKD=8EE2DE7F'
docker login --username deploy --password 'ghs_KZDHYsWGCLFDtcJTnKZBXNt9GeX2kE1L3ait' registry.example.net # access
export PRIVATE_KEY='-----BEGIN PRIVATE KEY-----
pgdLEKWOLMIH4PYFa5o2P6i3EYW06baIUvB/XsGhye56hzj/URZh/gYwNBlOrzas
EIbnzOMXmkeuyrsby9vcMhkRMEbQOQQZkY55xJp2gAlzyE6VSYJAnzxXjQ51C5Qe
bvJpP/IS0cIAoxpDhrPdxpDrKmuIyJA/oY46Zhuvy5Xh1vcifu7VSO46iT4iBvXc
rq65nBIqED/Iq7I68V6th1d7XA+nal5mMeZ3QuqHSDvuVe7VHPFnrrmkQMlhy9HA
WvWHJak+ajxUjYRlENdJomtL9+GCG44H/0q6ZqRcWAQyZ/QP06id0uEwYcKRHZjm
jzgjkubpT2QX3MkpDTr0eraF+85K2mXhzPE1i+lXBVMq3bZiotdwA98aNq2sgJQN
4i2Y5WKFvoFwWzIrVFrKYxYc==
-----END PRIVATE KEY-----'
curl -fsS -H 'password=P23Iu-47bIKwgP2' https://api.example.net/v1/status
export SHOPIFY_TOKEN='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'
export AUTH='ghu_HynNnoWwspHfa0s2GNf7OwrNDwhC3S1oEsz3'
export HUGGINGFACE_TOKEN='hf_5qW2WsguwFcyxI5ELGdLR7jDoKjIvja5kW'
docker login --username deploy --password 'glpat-_EldRBs30mW65Xzf-iVH' registry.example.net # gitlab_token
curl -fsS -H 'Authorization: Bearer HtFuuVf-4iBEJdq1XC3CjIx-iqWkuAShat4Ln7h-' https://api.example.net/v1/status
export JWT='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzQyY2E5YmFhODgiLCJpYXQiOjE3MTAxMTQwOTYsImV4cCI6MTcxMDExNzY5Nn0.7l-BkPcHS7ZM98DFIJrx6l35zYWP04qDmLS3SH3fLaA'
export LINEAR_API_KEY='lin_api_Rh3WyUq5hqkMkWSyg0esENdy6MN4xZum93sp69jA'
export SLACK_TOKEN='xoxb-05479931583-9615812669872-WwnNCOPC84DBXCRMIRFd7HOw'
docker login --username deploy --password 'AGE-SECRET-KEY-16S3P9DKKP0V8ZRV0C43AY7NK3EG294MVEPFXQEGDJJ6ZJ52A03V0YG0UU2' registry.example.net # age_secret_key
export UPSTREAM_AUTH='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'
docker login --username deploy --password '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' registry.example.net # github_token
docker login --username deploy --password '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' registry.example.net # npm_token
