#!/usr/bin/env bash
set -euo pipefail

export NEW_RELIC_KEY='NRII-Br4rPHUOZcFO5Y6szcdZlqoP90b5axnZ'
curl -fsS -H 'GITHUB_CLIENT_SECRET=22a5b85356f8e30eef20565f7dc52b7c74146ee7' https://api.example.net/v1/status
export CLIENT_AUTH='essu_hRjMjgrfoKCeNCWlWZ5Q/zNqDlUfh5fVFpuVTti/sJBl+QYAgtEiwSGRezdrJdldjf6dHiImy41pVpqW'
export AWS_MWS_KEY='amzn.mws.abe32872-4a29-41f2-a8f1-7bbac0dcef23'
docker login --username deploy --password 'figd_c2vCTgYYzeUhYj2S35l1PZYrUnFNSbfqdLGozJyG' registry.example.net # figma_token
curl -fsS -H 'INFLUXDB_TOKEN=md19DiIBxRdoPoEDS-Cxxd8uXbleFSy0XHeRzpN-OV0Ld28rDEUyY3_VeySPE_YWnCbaKT1npG-MxSAS6Vjv3L==' https://api.example.net/v1/status
docker login --username deploy --password 'sgp_b3f5db354502f1b5_7b6473310bc938cd499c7449e88f481951c3619f' registry.example.net # sourcegraph_token
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=yYfsAaEmLqcbuxPxsUY2' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=3d9c0788e86283ad33567dda1e69c1c6' https://api.example.net/v1/status
docker login --username deploy --password 'AQVNutmQz8f3Z97CwxzVoUBCIdB5PhIgvhAWxUOJ' registry.example.net # upstream_auth
export BREVO_KEY='xsmtpsib-6a2620aae8bf9efb7ae117ab16fa92b7f94f943101f4e44f993d1f2e1c8c0676-nSE8RvZHeEMSD9XQ'
curl -fsS -H 'DD_APP_KEY=889749d0e92b4218c014f477321d3edfbe15f918' https://api.example.net/v1/status
export CLIENT_AUTH_2='duffel_live_FoAJMPOsKp4-IaWsIVjkoUTfGggjteapG5-DwTNQQVS'
curl -fsS -H 'WANDB_API_KEY=7b54c14e95376a28466e8ad24a3ad992a30daafd' https://api.example.net/v1/status
docker login --username deploy --password 'cmVmdE9Ae8O82TZ6A5jkKB4bdCMJrQS7kHILMJvNDv6lLodqNyMtMpoucUF0s0NJ' registry.example.net # artifactory_key
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_9q-6-ZT4Dy_-vAHzvcXQdIFniKoeb1edRL5iq8Djki0' https://api.example.net/v1/status
docker login --username deploy --password 'hvr.ALKhIBrRiLs1dq4BwDhIeSnTNwf1-x' registry.example.net # vault_token
docker login --username deploy --password 'tfp_h3Ut-ZioN3jpQqM5fDnYs7bICRmvjEN8BNSDDfGt0GTrsdvG5XjqFaakExX' registry.example.net # typeform_token
curl -fsS -H 'gradle.publish.secret=RMYKvwc3S7JDQahknKyuOD6urlnXCfYh' https://api.example.net/v1/status
export ACCESS='VSl8Q~ft3JLOzro5Qhyst9iBMgpJbUipiFrZsZh2'
export HUBSPOT_TOKEN='pat-na1-45f30682-4601-4f92-a776-9f8287c45389'
docker login --username deploy --password 'AAAA6yCn0n1:APA91b8htwc5_-BYesvibMvlM-PmbzN6R8B6bkQ5Vli3sgwWWpFoAYlH-yXptmJatA79ktkszQftgP444hA3Y6NSHiGhEE4izNhN2IoPrElNOHE07PU9NhngDvsmtjUYvhEmetouB2zd' registry.example.net # fcm_server_key
curl -fsS -H 'SESSION_SECRET=LVMBzFVbegPmuRrdjawTfBbZp5tQGOrM' https://api.example.net/v1/status
export ACCESS_2='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'
curl -fsS -H 'aws_account_id=219233839120' https://api.example.net/v1/status
docker login --username deploy --password 'LTAIovEjSraT5wxBvq6Og7vd' registry.example.net # alibaba_access_key
export SUPABASE_TOKEN='sbp_cf61e5368811fd04cc1368caad5d7671e8315ecf'
curl -fsS -H 'ENCRYPTION_KEY=0a45e3767fa58c127b438f23daed6b7ab27c5c8afc85adef371a565672f9dfe3' https://api.example.net/v1/status
export OPENSHIFT_TOKEN='sha256~ksQM-7PVIkUvQWcPsIHizhMuXk2-k04yHnlSOAzZyTT'
export PINECONE_API_KEY='pcsk_HUPbKE_0sTE3eaiR8YdjxtpzOLQsxiEZOicYP1M9A8bLv0gScJvqyncrSAJB2H1EbciEkle'
docker login --username deploy --password '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' registry.example.net # upstream_auth_3
curl -fsS -H 'MESSAGEBIRD_API_KEY=oG7wrtWCoYOT0ZohQpOBkJZpc' https://api.example.net/v1/status
curl -fsS -H 'MAILJET_SECRET_KEY=956688364e09f606a31cfdb15f822519' https://api.example.net/v1/status
export TWILIO_KEY='SK616d3a1c8fd2ee8ff1d9837ae57143e0'
docker login --username deploy --password 'ya29.a0JojGaUyd1D_PfPEWzw4r0ok4dIF6LHYR9X-iwb_A650WcwZ5NCSrmakClUsb39qRsiq7Ytfigy-FXclGY0vxURt8s8WKkGyUHXHAZovvL15ccfSUwx2zKY6rI3sFk2UZkOgXWPnBOUeTow6Wiov9mW' registry.example.net # google_oauth_token
export XAI_API_KEY='xai-sG3wJ43HLM5M8Yjbk7o7JvhCzkpChJliPOKs0eExkN4XFCwv5XA8NELjLBkYb6CWoR6w7pdA9u7xA2kJ'
curl -fsS -H 'MAILGUN_SIGNING_KEY=8cfadf9b294ee0ffa168a528d95366f6-8e4783a0-94311ffc' https://api.example.net/v1/status
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=NPtTzLEAnS9cCR4tGKLcx2P8qClVPQrI' https://api.example.net/v1/status
docker login --username deploy --password 'sk-lf-544237b9-a132-4a47-ac7d-ab63f1b31efd' registry.example.net # langfuse_key
export AZURE_KEY='xR2oLDErlCUTJ7gHq419Ivh9H2snJJvuK7PSMlX33raxQeWQILqAJQQJ99CG8LCOAU1OtwU6GzrOIEQACKtn'
curl -fsS -H 'LOGZIO_TOKEN=drwtamqjojhkddfzMBZOLHYJPAEZOOWE' https://api.example.net/v1/status
curl -fsS -H 'SOLANA_PRIVATE_KEY=HojC7gXhVDxSBDwhDScn9Z8wHoKtoJSxuCwFwcHgaJtaWdEK5a9ec4ba9aGievgGkPE79pLXdLpNXjQGrqPvvkL' https://api.example.net/v1/status
docker login --username deploy --password 'glrt-SsGVQUd6sm6DJGG-9xqj' registry.example.net # gitlab_token
export GROQ_API_KEY='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'
export EASYPOST_KEY='EZAKpRfEWuq7TiBnsb3s1sP4I3ykjlvACyZqI6YwT0HoFNsdzMEn4UTP9M'
docker login --username deploy --password '$krb5asrep$23$svc_c5xemf@CORP.LOCAL:99cc8c69b8e955a15c9f0cc779e53394$e3227e61137b22cd6c96416fec78d82b58ad1eebdd9917a81e8fc38f91f123dd0542f3c867c994bb26c82f5eff74061138b9d98c79778419e9cc6291900af37dfd3ff36a20e7189127ac98e796d5ac2177cf9728525513a4cd8daa96423c6a615b462364bbe854ec8aee6c87cdc973f0ffc1cbce971e2804' registry.example.net # kerberos_hash
export NEW_RELIC_KEY_2='d123ab0b065c60afd785a509db691f7e95e7NRAL'
docker login --username deploy --password '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' registry.example.net # intra42_secret
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=7mgBpyaBeJIDgZKCR6fSx0SRO6lZD9UmUNTj70hahtV=' https://api.example.net/v1/status
export ACCESS_3='EAAA4L-mwNJn5iGNVzupLvcyXGPB7imSkYFJIYxwkjbeLbk9b5MzngGVjML-4Uxs'
curl -fsS -H 'ASANA_TOKEN=2/9447312468948528/1570510288487091:b15dc836b5700c6dd08d2632d33942d5' https://api.example.net/v1/status
export AUTH_4='age1my5nntr2437dfafn7gsqgpz97cw44xd8j5y6a790cjfsjnpnjfcslgjx3e'
curl -fsS -H 'OSSRH_TOKEN=f9lFHfP4N7IqcviyTlBrhRKkKwVo3LjQvxMa3kyBGYmf' https://api.example.net/v1/status
export AXIOM_TOKEN='xaat-987f37f5-16d9-4a3b-af84-bb967faf3283'
export AZURE_COSMOS_KEY='9IWdjejrHC9XMxL+KuzZomMje9to9LELoL3gMoraXjbCatWLDWgi8bByLMZWtCynOcfkGjTfEQHaACDbb30tNQ=='
export AUTH_5='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'
export CLIENT_AUTH_7='NRAK-23BOVLUU3JVDT3FGH2GOPPF0TO9'
docker login --username deploy --password 'xoxp-55507251383-33872862125-9115186865469-d09d6f6dd4937163c10cfec2d5867a82' registry.example.net # slack_token
export HEROKU_API_KEY='HRKU-AAQSYZjuCmE_V0tFmRGB4KuWzOPJe9qQIXEIGlCgp7T5omxl53BZ5_9nAh5p'
docker login --username deploy --password 'sntrys_eyJyawvFdw0aLPLW2jCelNTytT6JLtP+R68DFhrt0lAuj4kF7E9cBayR7P54iKHL4O2uSE0+K6SbTURt0pfLqKWbLte7vQw9UmnjfuW_xO9ymukw734R+pe7DJavJ95qv+lwe43e8bhhiWAUFRf' registry.example.net # sentry_token
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXTVc4tUsUmZXjjK1LzcsH-AiNcqxzAKQrBMFzT22bFii10ktv4_ZE14k9ynWO' https://api.example.net/v1/status
curl -fsS -H 'PLAID_SECRET=0fdd5d356f20bd8f50caf4a4e09744' https://api.example.net/v1/status
export HARNESS_TOKEN='pat.gJOhqV_didZzC-GK3CtV_m.6qw8aSQqXugafWehHKtSnRPj.r9h5xSDqcMyKjl4qjEW2'
curl -fsS -H '_gitlab_session=1111e1b98326f05c1e9e3953057d4803' https://api.example.net/v1/status
export GRAFANA_TOKEN='glc_WveBYrQzP2vSeRP1nTwY6UpnSYmuq6tlbDzZLDtgvZU3JewyRzu4YUxIwS5k'
export DIGITALOCEAN_TOKEN='doo_v1_8f40e918930c13aeb06df66c57f2955085bc79b86f9f8b53485227213e010440'
docker login --username deploy --password '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' registry.example.net # upstream_auth_5
export MAILGUN_API_KEY='key-3429fb0bf6f42dfd2e70d2af28929739'
docker login --username deploy --password 'access_token$production$1wzxlxh52jp4gu4a$aea12cae04fe87c604db337e13e5f618' registry.example.net # braintree_token
docker login --username deploy --password 'ATTAb8UVSalzu90hvPCZupDzxPvtv4VaOVu0sCSsZI0sxZG1o30NXEy6hHwFTKJui8pp50012E6C' registry.example.net # trello_token
curl -fsS -H 'SCW_SECRET_KEY=ad60cbe6-1bfb-4eaa-a6e8-32f6472bd3ce' https://api.example.net/v1/status
curl -fsS -H 'DEEPSEEK_API_KEY=sk-5f60e297ae5036a934e442be08b5485f' https://api.example.net/v1/status
curl -fsS -H 'arn:aws:iam::381131753956' https://api.example.net/v1/status
export VAULT_TOKEN_2='hvb.b827Sxy_QBr45NPL3ZQFNXT4QOr7iqLi53pvEitEysb-CwKh_0MvE2Dg9dM4rOB46Aq0HWJfosHZth74_K5e_5YRu5MvgiCBTeuTgvolQJLbgS7ifD_TngiRK2peza6JL4OyE96G2Xyy'
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-z2fKgHySq2OvGOzyDnSd20cfpQrXO38yuxnFpTYC' https://api.example.net/v1/status
curl -fsS -H 'ARTIFACTORY_TOKEN=8KQuay60AEO3seKSU4TGZ0SE6a58e7Ks2iixRCgFrcUQGnSQgA7TdNTQ2HHXO8MJ' https://api.example.net/v1/status
export SHIPPO_TOKEN='shippo_live_97706ee7682a521a09cc55ed3ba9aa96260bf7a6'
docker login --username deploy --password 'xapp-1-CWOTCSM3HJK-4016737716274-fb3f62a85227a77986e72d445614bbf54fbb230031cbe01e6335bd8573286c9e' registry.example.net # slack_token_2
curl -fsS -H 'ALGOLIA_ADMIN_KEY=60b447131bf97684add47a7a26607a2e' https://api.example.net/v1/status
docker login --username deploy --password 'dor_v1_d09dcbdb3d3c80e26ad57cd8c72daffcecb0c414559d5e24dbf0e07eed6fe9be' registry.example.net # digitalocean_token_2
curl -fsS -H 'SNOWFLAKE_PASSWORD=xyy5xeCCLxHUZ5GrajROwMwg' https://api.example.net/v1/status
docker login --username deploy --password 'xKz/ynwZrNV6s9k1aMiP4c43ULaAtI1TZAIoTAdg07N=' registry.example.net # upstream_auth_7
curl -fsS -H 'DEEPGRAM_API_KEY=a33bcd1fac7ceb61647052806f1696236863795d' https://api.example.net/v1/status
curl -fsS -H 'SUMO_ACCESS_ID=suO6cQmfIKtXiy' https://api.example.net/v1/status
export GITLAB_TOKEN_2='glffct-SOyYkDmptGMlPL2mNJTP'
curl -fsS -H 'POSTMARK_SERVER_TOKEN=6550cd42-1e7b-45c7-abc6-3adff014fee1' https://api.example.net/v1/status
docker login --username deploy --password 'pnu_jMq0UTrRD3Jns2Y7KVSw0LIuOPODedexuTIK' registry.example.net # client_auth_9
curl -fsS -H 'DSN=prod;UID=app;PWD=3J3Ak4Zs1B8rFGTs' https://api.example.net/v1/status
curl -fsS -H 'KRAKEN_PRIVATE_KEY=t3+u42Z9ZCO4S5Sa2w5IwKgvv2N7RFDW8jG1RFHtGvCXACBISdwRQICDz+LiL5BAP5BRke75FRm6ZnCAsSRbTo==' https://api.example.net/v1/status
curl -fsS -H 'ZENDESK_API_TOKEN=ptZNBls66igguWfzaNt63ZRsNAxl6IAjYwFeiBAm' https://api.example.net/v1/status
curl -fsS -H 'Unseal Key 1: fpBeRBFN1FAzbT77qONqCU5TK7lP2et7ZKILnxqNARgo' https://api.example.net/v1/status
docker login --username deploy --password 'sq0csp-npIIgs33EKjtmYXPgDgrLWaMJSH7g23owOuevLgO_OC' registry.example.net # square_token
docker login --username deploy --password 'glrt-t1_bzplcGJyCnU6MnlrdXPR1mycKBGWbsKZDnXlSrT-EA.01.161j460ye' registry.example.net # gitlab_token_3
docker login --username deploy --password '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' registry.example.net # nvidia_api_key
curl -fsS -H 'SECRET_KEY_BASE=c3da27dd5858126c81320867659608136581a705ee3d1e7f9a46af2d0e82c58fdfb76541c6b832c934b45dbb48d9f33f8dd3858a30f4386452c77461765724eb' https://api.example.net/v1/status
docker login --username deploy --password 'pul-a6a484244f34445a574918be0da7be8fa6193f43' registry.example.net # pulumi_token
export GITHUB_TOKEN='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'
docker login --username deploy --password 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tia2VLihRo9yX4p+R5uty9mnyb8g3MKFQcuxFwh614pVRJ9BRYfvBecl9ppQOS1XMMA/G3mDfURQTqaZBUHT92RfrSQPK3duq67/9IibzReItvqrZR6Abd/5S1jKXsoylxVA9YYs4SIInrg3deBuC1XmbLdbmBSwE8WegvXSt/T6lPlnwD2n89qNKxuPhnyb1zL5+/0iI4jM9OzaeK5lNC+V0K+jR9PfgqK/MpWy9QvesTwzT/S9W8LabhjmhL8ElCizFz8x0qtjvH3AgtbWMKlAejNvZsytogNlNo/K6V+iRPvLVKpNayA92wXJ1y8t8OZAhYC2c6CDrMxw8r/4JlpHpsUZYTXLmLS3UcIrLNZ9/azDyjOzyAdjn8k7fGjrfwfx1lqigl2MbfqQ7GfCv3QejixRvfhJU0j/Nxoj2L7WldeV/Vvjwozyyy/w2vLRNRZ7JMbKMm6X1kZh8cj99tqN3VecFzsHjTq29PGNzZJX/TZjDHj2ZCmKYKq5d71m2h5mfCLu9h7uBwb35IuK8i08dK0S52/FTLPf9iUmo+6pqixqoLq9K1Cywu4iBRB3pGT8hkvCOy8D4RvKYY41k5R1W' registry.example.net # aws_bedrock_key
curl -fsS -H 'AZURE_DEVOPS_PAT=iifvfrmp65ajvpy67gq576ic73zlbiwrnsbixso6kkolensdonev' https://api.example.net/v1/status
curl -fsS -H 'ELEVENLABS_API_KEY=sk_1cfe105895baf4891672249cdc96222675dd3b1961bc3a99' https://api.example.net/v1/status
export ANTHROPIC_API_KEY='sk-ant-api03-Ymnu2Uv8EXmyeSm4cERNnO_izJTrzLYLTvUkMa3hgqksYijjw6wuLJQhG25RzM7GIm2ThoQHP2UH8jWNhOSMWYCb57x6WAA'
docker login --username deploy --password 'PMAK-34d0bfb2bd653604e4a84222-e2b46aa660a34dd2df490de7a90c05907f' registry.example.net # postman_api_key
docker login --username deploy --password '2brjIrLmIAt9NWGXmaOkANsU/VdvJP4W5O7ty09VCrk+9SIrW/9MaICcxAUz+lAhml+vi43tISGE+ABao5QkEw==' registry.example.net # client_auth_10
export ACCESS_4='fw_XBLfC9DyQx70kxp6yeepnKoy'
docker login --username deploy --password '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' registry.example.net # github_token_2
curl -fsS -H 'Authorization: Bearer 20s7wsyEQsfTEMD7dEw9TL1JhRKT5KSID9wbIBxd' https://api.example.net/v1/status
curl -fsS -H 'JWT_SECRET=BMTpNXUmIdqbbXORqYKSxOzoPUjwDdsd' https://api.example.net/v1/status
export HUGGINGFACE_TOKEN='hf_MTeqs3tY9DyMGDFVsbLhUYeweGGdnQSLHs'
curl -fsS -H 'RAILS_MASTER_KEY=0a4c030c772ac5c4e8bc0926c783830c' https://api.example.net/v1/status
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: 2SOLMZpQFMv1nPlYGK1doH==' https://api.example.net/v1/status
curl -fsS -H 'GITTER_TOKEN=NtR5EOzJbGCsHoJqNt5bJf1Jr4ZkpNNJOPThkkBo' https://api.example.net/v1/status
curl -fsS -H 'IBM_CLOUD_API_KEY=lAz5v6W9beFR9Eo_sRQQS1FUpFMNe4hUp71sT5lh82FW' https://api.example.net/v1/status
curl -fsS -H 'WIF_KEY=K8T2biJK9SWXEn1cZtDN41vGxboUU23Z7KN5zA2BPednViaSsPB4' https://api.example.net/v1/status
curl -fsS -H 'CODECOV_TOKEN=39d1ab8c-8981-4fab-ad8b-daeccc0913ce' https://api.example.net/v1/status
docker login --username deploy --password 'mxN/WBH20g/NQBgan8bbiIwiV2Q/547SueVrCgY82DYL8CfxnLDHJxgcueJzHQ430ThnCe6Sl9aKAPIMtoWL9g==' registry.example.net # auth_7
curl -fsS -H 'COINBASE_API_SECRET=KNOkHuRqvARs8MO2BuM-1NpCcqbrBjZtgGyYLetoc8ObSPCpol1FqPLn71QsqFr3' https://api.example.net/v1/status
docker login --username deploy --password 'xoxe.xoxp-1-IBjx16WglabfGxHBjVAQnsOduv9QDNutu9EdUvkuPrhxFFViQ7SvD3dv7AoQk7offTYznfK90UjwGyRmxrgR54nAEB03OfijtPnJQPZp9ttkYRsgxe9HCYEhhfhVicpXABWRqgpSBXuz3pCnSlCaoMgWYvewZu2a' registry.example.net # slack_token_3
export DATABRICKS_TOKEN='dapib4c1ea99bf2e38c2356415b3b0b1e2f0'
curl -fsS -H 'BINANCE_API_SECRET=xyiudmuZP76INERSsX2BHOOiJoh0jUso73SAc0MQ4jKE9m9o2Zcl4RYKYBFrXtUP' https://api.example.net/v1/status
docker login --username deploy --password 'sk-admin-e26O0B2hvZCNpJij2MKCNB8BuSP7TRlF096Ti1dZOJC4e96y17wFB7TUONMXvXOVFNadqL3hwALiayllZ81Xo7DHdLRGV5MmSps60ukJ1ziuAQSewQX3Oe7ouPXwvFw9P2RzH7Ft_LkjZzmJt4L2EORg_3dC' registry.example.net # credential_4
curl -fsS -H 'SENDBIRD_API_TOKEN=370a2e864a634720b2d02c70d9bd3ca46090acea' https://api.example.net/v1/status
docker login --username deploy --password 'dp.pt.ouVsKNRRYCR3H2ra3Ivhlx1fxs2GpNeUuBSwUzmNfEc' registry.example.net # doppler_token
curl -fsS -H 'VAULT_TOKEN=s.rmBmWcLtlrOXcqoY6zGfvqMi' https://api.example.net/v1/status
docker login --username deploy --password '38rCKsUGqjGbNT4nNUR4P2H1NYvdbFKwW+ARmBjOEHq=' registry.example.net # azure_relay_key
docker login --username deploy --password 'ghs_tCYWEeErTyVLtl5SFH6iEnBBnAnFNH3rZdnL' registry.example.net # access_5
export ACCESS_6='dop_v1_d22e330715b25769b0fb55eda7154b894c9bb47bf5239cbf1c8c2f7d3c53ec3c'
curl -fsS -H 'RAILWAY_TOKEN=52aeb0f9-5e05-4293-ab03-d4bd4d81f600' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # openai_api_key
export ACCESS_7='p8e-aAQbYPs0f6sRJgP6koPJbdtsQzTyQyCa'
curl -fsS -H 'DISCORD_BOT_TOKEN=MDZrjEDUT53hb8B4rdkZHpWTyU.4HNYVs.GVtQANp1p2GyOSnmrGEwixWZwi2gC9Y_3cmy4c' https://api.example.net/v1/status
curl -fsS -H 'ETSY_API_KEY=alk07w87yjcvokd3rzqypkjj' https://api.example.net/v1/status
export RESEND_API_KEY='re_qdTOnDxP_Ydb6gHFywLjsqy3Ymsg9bOI3'
docker login --username deploy --password 'CCIPAT_oYIzIvBJ28hSi6PIxGTTon_d959dbebf5fcdc351072d8b5dfe02ba26e7a3de0' registry.example.net # circleci_token
curl -fsS -H 'CLOUDSMITH_API_KEY=30567e073ec90c77cba150043d9b51fdd6f0232a' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=698ec31a096adae47add0a7b3f437148' https://api.example.net/v1/status
curl -fsS -H 'MISTRAL_API_KEY=m48PyvXYVqfLwE62497pYyxJw7nVg9C0' https://api.example.net/v1/status
docker login --username deploy --password 'gloas-gAB1cxKX4nVDCM3387_v7W1sYvdkg1T55OCg03b80WiEZvPAnORH9k3NsYgPnQDr' registry.example.net # gitlab_token_4
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=fRa6JUsWq07ih5Gi8ubu' https://api.example.net/v1/status
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=djnPIwTJv6mlEoD9lFtgEkND9JOhUh' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=kjAMgAJXwh0OzSTvYT6rH8CRhxnZf0mBMtlRWGgIUidaMfSuE3ixXaJwWKlqDG60' https://api.example.net/v1/status
docker login --username deploy --password 'glptt-f0684c492ff40cb22beee5f018d30979c148cf97' registry.example.net # gitlab_token_5
docker login --username deploy --password 'live_077096599_CCKl9xm2KoUuzhzuUFAQeNiNMsId1A' registry.example.net # client_auth_13
docker login --username deploy --password 'a7W34713JaIpsxA6wnk7+NB/wnoIFqkm2YF1MSjDrsiid0toP17jWRY1M/CzLe6f4H52SpjQT4Lu+AStHvp/Wg==' registry.example.net # azure_storage_key
curl -fsS -H 'Authorization: ApiKey hJJZFH6ieau+w3lo0bNbK0CIw4lsJ908bNToaX6YHrbRK3klbFL6UeMLlUeviWN3DID140/vq/j0nd6z==' https://api.example.net/v1/status
curl -fsS -H 'ETH_PRIVATE_KEY=0x80e118b3e30e1f443fd3d6ce52c6945a5f74e020c42a04c506636418f24661d1' https://api.example.net/v1/status
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nGFhechZLrn8M5AyJxSzoLK+8m9+B0IZnMcVvDqUyNtdN9OBffi/UfHpNXExVjB9w\npIcVDFLLMYdNEv3o1eMqz1mJiir+P9Y5rYU+JPjQGBG7YE2Ts3nUHbAXm99HDksm\n9iupxL/Vvshyu9dOGIexY8QhkJNJY06ynKMraXd7n9X+lAQj3cXl1i/Rrcmv4WeI\nNw+re70IHYqeaR4krFAhTnBOuT7Ryo5xNFRuIqM5QGil9FQQuAyuW+6qBQxFWbYk\n1K/+Sn5iu14i1MZL/wQaUFutXCzN4pKDfcAHEseFd/PuUpzj85xiFcWXUrqyKYkM\nJ+JJVoEpPbTG2DaSBIfddkG7MSnDQYFDmas4ZXtAmr8YuXCCv8m53sBWJY9a2wCV\n2+bCqaFvuragPI7VTqv2oZLTbjQCrjcHMhHp77XDzVuL3iIOo5gScNBpeaQhfI2L\nqUnwYfh/r73K1HRFMOUQe+iR6j7IqcJj\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
docker login --username deploy --password 'EAABml5qI0NN0BjdF4u2ozBdfBP0M6kJors8w3k3AXDNxLvkEjPuJNp5KA87sHwZT2CArmtI0BCLkPwjYvPPyiEujqlFU8M7r1LMXvxhhsyhl20MrdVGd0b8wv6k' registry.example.net # facebook_token
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
curl -fsS -H 'AZURE_OPENAI_API_KEY=dd4905c2846c1ec8ea9c8a71bedc56dc' https://api.example.net/v1/status
docker login --username deploy --password 'access-production-cccde23a-8a9d-4257-a672-38deb2f4d434' registry.example.net # plaid_token
docker login --username deploy --password 'xprv9s21ZrQH143K95KoAi2i9eEvWCkRuLZymS5wCDnDgZegZeTKRAin5u9yixGAw9G3tGBaBecLfuoMss1JWRQTaAx6xxXAjoFYSJdpB1dznPF' registry.example.net # crypto_private_key_2
docker login --username deploy --password 'y0_AgAAAAo3WdtKb-d0cQbRG-V2YocBne7jPFnrp2RlvUB2UTA6aAEvkNSr' registry.example.net # yandex_token
export BITBUCKET_TOKEN='ATBBbHbCXgm3raP57Fm9NHT1GcjfxbnkQSiV6E15D491'
docker login --username deploy --password 'gldt-8GJJgwowNyuhfXiggIlr' registry.example.net # credential_5
docker login --username deploy --password '$krb5tgs$23$*svc_rx6shx$CORP.LOCAL$MSSQLSvc/db14.corp.local:1433*$8921ff5ffbea3da6c800474489e48680$8d95a58c84cb98f927138ce18415d5730038aafee5760b78d41436f79914b3c8ae8dd319069522c3fb8ce1c52a449cd14d15105a83d2ca8aabc1d209040f3392ac6b7d8b807dbc253a4c886222d2228b40d16b1c772c25e11682f38df34db843f2e9fe279af872d31a7b6d97160751bf8d3e0880810a81ed' registry.example.net # kerberos_hash_2
docker login --username deploy --password '0bgu1vbay+qYeNR1TsY7ZHKRBtEzTFfoOAzCaJObmww=' registry.example.net # azure_redis_key
export PYPI_TOKEN='pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImZmNzQ4NDJiLTJjYTItNDIyNy1hZGZlLTUyZmZjMGU2MWFjOCJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiBSTiyh_0Zby-OGAr_X1uY5Y1u2UPUQeltxTLDG85Us3g'
docker login --username deploy --password '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' registry.example.net # langsmith_api_key
curl -fsS -H 'STABILITY_API_KEY=sk-e0PIbsiiyiKTwEVCtfE051qjfdARt5xtdrdarIcqzPIH3fHD' https://api.example.net/v1/status
export AUTH_10='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLWF4aW5zODc0bWl5MSIsImlhdCI6MTcxMTUyMDk4OH0.9f9IzLneMgwMoX7Mjf9aKVfkBcCEJui0ib6qD2httd0'
curl -fsS -H 'MANDRILL_API_KEY=md-FYvdA6L__39q89xk_AtDHI' https://api.example.net/v1/status
curl -fsS -H 'SEGMENT_WRITE_KEY=SZU7IyjO0SvWR3lX2zpAS1qZ8owQptyF' https://api.example.net/v1/status
docker login --username deploy --password 'AKIDFT3JY0U2fKqAtuY8xhrNT51GZphanK88' registry.example.net # tencent_secret_id
docker login --username deploy --password 'sdk-f32ba1b8-51a7-4ccb-a4b6-62a1605f261b' registry.example.net # auth_11
export GITHUB_TOKEN_3='ghu_vb4gmHeQKximSkTTIA4oYEVP1Hd0sQ0MKP8k'
export CREDENTIAL_6='xoxs-8792404890-2998216211-4573404989-dbcd9d88ef46a043cd6c818e6b6dbf22'
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTi494G512W8t0t0L6knpbTGuIyB6xJAG9k5n9grQa6aud9daAfndkpoF5c7bw78J9zzDhxHl9l4NIF00UfZakJSaf4Pttp41FJaECT/rGfZKOs2I6qdNhb6ksbBGpGDv4MHe01yqht8C3yLZpdfDjW48XWWZ8WNWDvAEzLd0PefE1bkBvwb82LAEZVi5o7sSWU+/SKHdJS4glrYyVC9y24lG84V1vFFGzM4b4Nj75PqDgQzVgCZl2p1BpOpcBRsa24NyErvCsIdXAmAq+pXSWlcjE+aYl6Zw4xm78qOOMz+LjBmJ6mzT8Io/Yp6y+As5TwUk9Ly+1qQlsxd1RBnT6FDqXxc1akGsbuvtPBpF8JY6eamHGRnObJszm0LPfxWuZESQpkvdczgCx5ta7Y' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-admin01-wZO0h-K9GL2IJO6uFcr06FHyM-F0Lcc9XolnuXfzFyKWoeu_vroNYKpswFAvUFeJ57Z3XKmQKMdu7O5XCu5O_cScNbTo9AA' registry.example.net # anthropic_api_key_2
docker login --username deploy --password 'r8_LLOYUg2WU8MIta0n9zBhQcwbi1NYo5lXjQqpE' registry.example.net # access_9
curl -fsS -H 'VONAGE_API_SECRET=sJRHkAMI0544qqde' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Splunk 7a2eb6d6-8480-40c4-a1fa-cd2f37971850' https://api.example.net/v1/status
curl -fsS -H 'SPARKPOST_API_KEY=f797f333e6c4342cc06991e7d151aa90c3f27488' https://api.example.net/v1/status
curl -fsS -H 'APP_KEY=base64:KRkkHgqEWWMzuz7vKtVD1b+psgpO8KSYYhSpvcfLdcJ=' https://api.example.net/v1/status
curl -fsS -H 'GITEA_TOKEN=35d86498a9d080cd6db063eee93b2ba1b102a7f0' https://api.example.net/v1/status
curl -fsS -H 'OCI_AUTH_TOKEN=KqC64cjlhjTKEm2AF81x' https://api.example.net/v1/status
export ACCESS_10='-----BEGIN RSA PRIVATE KEY-----
zURCbRD3krTEaUxVOaY0/3LxaDRtvdT3AUqoPG9nxe4yUiGaRzfYUnlIJbJ37H8I
6mvid6qsNQTI1jIGo8FDjCxG0JtpuUJhB1AAYjrIZ26ILQB3XNm7EIow7qIP8WXi
9OPUBNErBK/pYadQ2rLG9f+UeXOatOgRgvx2uYRSjrqCLNTJXaioX+poUvxBpB73
zPI1VKkm9ru1weRstzxLEV/eEIcbUoUYLSeXJ9rlYpkoYbexqPrlvHobQ9RCWjTp
cEnLO6ML8cIx9itIB2MFBcWCGyvmprdYlHyfVODJZak6KOmDAgRvm+1YJFdFXtoz
raGykGi6SZMBDrlUYpL6mF+wQBPmD2ypx0LlsU3ZTjVYY2IFrMKOUHOVYPZiBzL1
3xsbW7La6QxZMqTrO848UYesZbGZJe5kuYWm9q2C7YeYSXUu9Kj0E0po2AduMtOH
/tUL7gfN0G1/1cpPp9ylVCwXTPuc8OtZlh1D/vmi4BW2Izjcb77suYtRWOTcJZtS
9rQdt0hnUt5zvewFri02OorO7M4wCfxRxL+1eNDrfDUFFl4Cx+Mve1CwnVhkEj9a
8TwIVZKP/vhS5PA2xZGLpDSx/Pqqnf4aj2+liT45VujYv8HZRQRLOXwu3ZtegmXZ
gvGZgJoka12MEUoZuLI7dKdk0WFDRi7sjU073cI5IVOF7d4W9QHVpm17yjinCEVQ
SvSk+TK43X8aKs2cAIxz1n4UZLhR7xlBK0ubIpuaBfNHrvlLvJjGBj+FFTVmuKRf
rbI2k3Mh7X8EnQ0ZQiBuOxbT+kuuykGb
-----END RSA PRIVATE KEY-----'
docker login --username deploy --password 'pk_26821123_QQ0RSUD8AZ0UIFFSIC3DHG4F10F1KY6L' registry.example.net # clickup_token
export CIRCLECI_TOKEN_2='CCIPRJ_CdVLmhlps95KIrEbaQvIHp_5a2070a1d917d183f53a33d30f67660b5994178f'
export UPSTREAM_AUTH_9='dckr_oat_GP_w9Pxc1whLpv18eF56Mw49GVTcI6Hj'
curl -fsS -H 'SNYK_TOKEN=8276c1d0-7129-4eb9-a8ec-58d12cf58579' https://api.example.net/v1/status
curl -fsS -H 'FRESHDESK_API_KEY=UndcMfpxQmPIyPZDmPim' https://api.example.net/v1/status
curl -fsS -H 'JENKINS_API_TOKEN=117e1838c538a4a2edb7935212844093bd' https://api.example.net/v1/status
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_IhoX76xP_P0A0rPA9SUEwlsgwdECgnZ5XqxazUGn' https://api.example.net/v1/status
export CLIENT_AUTH_14='sshpass -p ejGg9qjthtPMd5s6'
docker login --username deploy --password 'glpat-bzpsZG5mCnU6M2pkbXOZzVsL88eF3lTgSWLOmxtzEA.01.160j01geh' registry.example.net # upstream_auth_11
export AUTH_12='sk-svcacct-MjKNM9EiEParzHY1Yj_Y6AcrZR3rG0Y6F91voDq7UVBUC_qz4clCPeHc8MWQhsIvWG9oDDH0rYzuVWPNKbBdxQjryJ4WxvWnW0ooNIu1cFTD-QT_di87Cp7iJg-RnR3w5whnxFLoMdaKP9SQHbKCL-0tEH1n'
docker login --username deploy --password 'NEjp8C+iIgSAxOUQYv3Q7yVovZCe28Aq4AZEGOXuyDF=' registry.example.net # azure_event_grid_key
export SLACK_TOKEN_4='xoxb-147486920603-7209744093362-QiApDn2FRDhgp2ors0Q7bDHU'
export TERRAFORM_TOKEN='6f8EwBnDMHRTnP.atlasv1.DPlFUFb-q-ZFH7Ah5iYk2-uiDqehkxfCDiqMhnxlIS6X7rEuG-ma36VJZliRUESh0IN'
curl -fsS -H 'TWILIO_AUTH_TOKEN=66a11d93529431274e5dc07f0033a0ad' https://api.example.net/v1/status
docker login --username deploy --password 'glpat-xaZPxIPZ8oYO3Dp19OC1' registry.example.net # gitlab_token_6
curl -fsS -H 'HUAWEICLOUD_SDK_SK=3Heg9cGSvjPVW01eOIfmRulnkxnmUQ2Kq9OP38AI' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # access_12
curl -fsS -H 'Authorization: Basic V6B3G7xjkqHBgQYnebF0IdMKYuqfT0gC' https://api.example.net/v1/status
docker login --username deploy --password 'AKCpEiaJmArLvDNoTps76fJZnpD45di0ug1mel9kdEA8xeZgDHNFsrvgzQqd4bYqqVqGQe8R5' registry.example.net # credential_8
curl -fsS -H 'TRUENAS_API_KEY=5-FHI9bb266OP3XsGRpSC8ohUFQ0wkKyu9si1IYFIgJGT07cvO8rXiqbr4jpLIVraH' https://api.example.net/v1/status
curl -fsS -H 'ASSEMBLYAI_API_KEY=8782e41e5245ccad8aa43859358ca759' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=ocj23zts9vw2t08aolnxf8x0fuwl89' https://api.example.net/v1/status
export DROPBOX_TOKEN='sl.d9EaZl2LWqaxcjVoHPfIHsIvqZ29wiErn0Ud9KdzyeXbo9VmPhfaPsnU-rOLlfGHnt8AUFeenKBY10sXdpdWrzRgR8WocmJapqsgmmUW4sadQfWv0bAbRBGOdP9qe_LaCOinTBC_lSLQ'
docker login --username deploy --password 'ab7716f68126d42c8c66391845947ab6-us55' registry.example.net # mailchimp_api_key
