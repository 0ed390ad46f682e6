#!/usr/bin/env bash
set -euo pipefail

docker login --username deploy --password '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' registry.example.net # github_token
docker login --username deploy --password 'ATATT3bm6b8ll0K5IfTzHLFn2lYYFz44HPyZCCUAM1hljWgrH9NjXLOQvzDUBpmARC-_wr6Br9RK7fTyo0kCtVm7UDrdCB0mOYYTkEtRpZ3pO0GDB4xoBuEpuyotqcVDdHvQx_Lrd7pfQUsOn-eO3mHBADTQovUXpF6Oa3_bjAIFIQcC7op89YNSwV=DCF0169D' registry.example.net # atlassian_token
docker login --username deploy --password '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' registry.example.net # github_token_2
curl -fsS -H 'Authorization: Bearer fHbycr-LYkpPRIwgoDu_didIiB6PH7vWatCqnAOS' https://api.example.net/v1/status
docker login --username deploy --password 'ghu_vCJBjbx2CF8ujIxVcNSD4wWfKuauR33LwZsN' registry.example.net # client_auth
export CREDENTIAL_2='glpat-jsTyNkxS-Plv3Jk4MNCG'
docker login --username deploy --password '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' registry.example.net # npm_token
curl -fsS -H 'password=cfKvid1h98_Ojj7' https://api.example.net/v1/status
docker login --username deploy --password 'AGE-SECRET-KEY-1ATA0FEAP940T4KAENY270GXYPDDM6MLNYNC28AXRNR09L73T2MXX73R9KF' registry.example.net # age_secret_key
export GITHUB_TOKEN_3='ghs_0omwz14TlJuAFTFcyhMLhHxnjPAV5q45OjqQ'
export UPSTREAM_AUTH='lin_api_ctHobrRqWLLFA1NIkd1syHkvhlTNwTlypdRkzlR2'
export SLACK_TOKEN='xoxb-29901206252-1128332863626-EFEZlp1MiKNSXQJ6WApUMXEs'
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzJkNDdlNTAxODgiLCJpYXQiOjE3NDc4OTI2NzMsImV4cCI6MTc0Nzg5NjI3M30.pUb7bd-xqapTPrlzpb-4GKCO50lgnIYU1m8v6eilA2O' registry.example.net # jwt
export SHOPIFY_TOKEN='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'
docker login --username deploy --password '-----BEGIN PRIVATE KEY-----
TWqGSCesgRfUzgWT5v1Po7GmEoxaNHdLL/mcne+6EJXWb7JZgrnLQbSHI3N9J3Hs
QB2ItI69sD4SNjTCrXZq9ESRR4/8WRbR1LqHUsjnA6/r6dOgHXeF8Iwt5B+v/8Ma
5NRnt5I+Fm93bY/vyT5144lNOn/iW5IuG7SRaHNsdYMLdkZ9raX8WZ6IbBIUrU+h
nbIO1uzlrxYcYAR+pWUkby9M5s5c6PbW3xYmXJ9sa0Q5miCdPN5U2r0DqE2GGWJs
//kMgw6KWnU/CO/KHeA78OZdMLbXDj/ccM2ks3nlsT7rPQmQylB+7dozne3YdGAu
QIFr9j/+l6wdozoEb+my1tt92tfUtyfpfSr+tRMK+JMdmh645BKKpgVotwgxTFp2
SD9VFeWL1Z2va7Fl1drZsL5t==
-----END PRIVATE KEY-----' registry.example.net # private_key
docker login --username deploy --password 'hf_BQs4KHGHw8DP1rezc6jiESNYHD2IgaivSx' registry.example.net # huggingface_token
