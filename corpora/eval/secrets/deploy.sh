#!/usr/bin/env bash
set -euo pipefail

export TWILIO_KEY='SK2a7ba6f50690611603cd4520ed8147cb'
export XAI_API_KEY='xai-YsprtdMmRnN5XiBMmfzdBqqQBSmIfFgJxZLUKuffHeQhz83goUm0maaKnDMj3Igj9CoBoRGY6mA2WuEf'
docker login --username deploy --password 'CCIPAT_z4PIt2TMiEUlHzp1N2zCP6_4eb784c1ab1783690c6bbdae850175651e391734' registry.example.net # client_auth
export LAUNCHDARKLY_KEY='sdk-e4a3f456-118a-49f7-ae32-5eed3988683a'
docker login --username deploy --password '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' registry.example.net # nvidia_api_key
curl -fsS -H 'DEEPSEEK_API_KEY=sk-94203f7a4ba9c143e8147364752f68d9' https://api.example.net/v1/status
curl -fsS -H 'MAILGUN_SIGNING_KEY=23b153384f5542f31e9d7ed4b0f81ed4-f3673b84-1376367a' https://api.example.net/v1/status
export ACCESS='934e484342b8ce05f370b1027cd44ec9-us77'
export FIGMA_TOKEN='figd_mNUJpErjWDaV3-YyBUcAjbsHUE9e66EJYgxqkCUz'
export GITLAB_TOKEN='glptt-7c63905028a07d4655bae371194d15484ebefa6e'
export CREDENTIAL='0q8DYMiCqzTae/ZyhR9TIMLsXz3SA1EqZR5eldHyMFcL0t8K5tQfMgGHniyuh3XYJsjP1oXA2cq5APIMc/fsBw=='
export AZURE_EVENT_GRID_KEY='Yz8hhT+R4vzmOoJfJrYwPfhQ8rGujODHxAZEGKOXiHq='
export AZURE_CLIENT_SECRET='Lcd8Q~sZp7so6bhmIJShSQcAyJ0lGK8WTBoGRhwL'
docker login --username deploy --password 'CCIPRJ_mryCs3ySjLFSqB7zqo2G0D_04597d1f5769945a1888b9de5558675d0d0a0d35' registry.example.net # upstream_auth
docker login --username deploy --password 'ghs_F3nw3hNDwaxO5g0BGrobCWAuHh1DcD3IFwZt' registry.example.net # auth
curl -fsS -H 'RAILWAY_TOKEN=a383ae06-71d1-44e4-a8a2-728b46046224' https://api.example.net/v1/status
export SLACK_TOKEN='xoxs-6881941633-1038532473-3103982951-8c9dfc5ecb786dfb3416e6779991fcb1'
docker login --username deploy --password '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' registry.example.net # openrouter_api_key
export GITHUB_TOKEN='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'
docker login --username deploy --password 'LTAInbSK9HRP12t8qOpYOmD2' registry.example.net # upstream_auth_2
curl -fsS -H 'DD_APP_KEY=ea1c091d3c18a475885990864b211e7ef355c087' https://api.example.net/v1/status
docker login --username deploy --password 're_3csgkxgD_sTbPQwmkWM7B7WH0A8SkRHWm' registry.example.net # resend_api_key
curl -fsS -H 'TRUENAS_API_KEY=8-wGb94mUKUnny7F4kQphRaHaowPK7JX0DlfxSfHlAEhgDz9JZksjlU7qG2QuV7YMq' https://api.example.net/v1/status
curl -fsS -H 'SENDBIRD_API_TOKEN=4120d48b1180b6b6b830e03a5f6fa769b4838e4e' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # github_token_2
docker login --username deploy --password 'AAAAnSKlGh7:APA91bNRWQt4L8Rud1oq3XLWZmwWjMp7QimnRm54o8opKH8g5dQMbI9_8FNLNwWkytkFdtFsyRvsChhOxUJUOwJghXpeGySSFhEQHPAMjlFsYbQT3Y8hAzoOCXs99LntH2ycLQhpEL_i' registry.example.net # access_2
export GITLAB_TOKEN_2='glffct-lTOvAhTdsYTfQ0xE85eF'
curl -fsS -H 'SCW_SECRET_KEY=86a7485b-450d-4215-a49b-e50e6d1e94ca' https://api.example.net/v1/status
curl -fsS -H 'ELEVENLABS_API_KEY=sk_8cbf87365e6517cc0fef18fc7527acf7170e7971678caf92' https://api.example.net/v1/status
docker login --username deploy --password 'glrt-t1_bzo5bzlxCnU6MmFjeG38gXim82cLzfa-PTFuoL-fEA.01.160rd5zia' registry.example.net # auth_2
curl -fsS -H 'MANDRILL_API_KEY=md-Nbk7V8FUh5uXjG1Vv4YH5z' https://api.example.net/v1/status
docker login --username deploy --password 'AKCpceNKXXGtu015riN1BGgNejaHDe8IoaepJV4RAuWfMqgSh7DtXKi2JyS9ROcV4Ufa2QKXG' registry.example.net # credential_2
curl -fsS -H 'JENKINS_API_TOKEN=1100294c3b85eb27f2522e5da1fb5b50fe' https://api.example.net/v1/status
export AZURE_KEY='EARaeKQSeLZbntOu7IsxpbCBusObQVP8M0CSh8t0KsLglaHhBIYLJQQJ9HaDTzXvBOpX5Zg1MhgrCAZPG4HS'
export AUTH_3='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'
export GOOGLE_OAUTH_TOKEN='ya29.a0i9WfFZkODEkspwMWaNCIVlG8A3JUgvkH2EIGTDP2kGBNKd2eEKwHiHZFNlo0VEKH20liPa8Qd72sQWkxCfqbuszbAsg_3vAKQ6nR7UT8X0SzjiKMExDKfwyas34jmQTtahEjk7R21x_J-gmeOX49Hd'
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_3cr3HWpM4DjbPFnEUxO6BEO6ZY_OVq0h58oPmEVi9J5' https://api.example.net/v1/status
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=Q0pzTLgEKJ70zkwnIbnH' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-api03-sVe-kc_IgnA0UGqlbcOYcIyLWJo81TP9B_L_t4GMVbJgnaTz08fkEoyaK4yg6M19RFLlawIle0HvEdtRUlAcve7y6VKOMAA' registry.example.net # anthropic_api_key
curl -fsS -H 'BINANCE_API_SECRET=PThNnar9koVl5zW2UwIv2to7qON9lrLuCGqfpNqLGjcmdw2v91gbCnstpklScXLX' https://api.example.net/v1/status
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=9rPaWB6EdolHYl4Nk1IP' https://api.example.net/v1/status
export SQUARE_TOKEN='sq0csp-0JHhek9BtXHf_XuUxAuYqf-HDB0rM1vYMoeBHfzgnZ5'
export SENDGRID_API_KEY='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'
curl -fsS -H 'Unseal Key 1: kSqcdriNQ2M0cvKB3JkzhAcnLs1AKEYaos9ghxuimifk' https://api.example.net/v1/status
export ACCESS_4='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'
curl -fsS -H 'JWT_SECRET=S8xHdBfdueydKTxzuuWLmC2d9N6lb1dd' https://api.example.net/v1/status
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nGZSo/Fj6qVXmWMN6/amAYTyNp/xVgvm/niFpytisHb3Dg/3unJ7zIrXnUem/QSVt\nm9dNIuR/oHztWWfpB8vUXQCPklgKEFfYog8Uft5eUJDe+eJv16ZUI1+hjKfPxtbu\nKoQJiriagZgOolwg970elwlaWwfrKB8EDGEoYEXZPrteQkKmpMsteHaSZphN1AX9\n/kdxeE2ZapjAmY6U60R1jfKrbLU+qZVKHeD5G1RasyRtVieTeuqH1fj/xU7KzBkB\n66QtRaR9YjN0nJ5OWrVE3Ap865z9icyjHsSGZrt+Iz+7C66yy0rItHm2/HhsbVfq\nagm2aHz48jY4CwhBQsK/MCZBaB1eKO85NRABEwizvGkQn1MfyPZm76qUNWj8jWtW\nLiqLSy5pSZI69nrm5nkRByJauqlDA0o3mVxoADfC95FZ5VfWaHG80yjhtbMsEbIK\nl8+Rg3hMXQ017ANglEbWnNCjg4BEqQEs\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_GMesk3fNH07w9sbO9goIbHFpgMEqvYlW05ndk8SZ' https://api.example.net/v1/status
export AZURE_RELAY_KEY='H5WP1vr/IdhFgVves5Fg9LL9KxNrtL40h+ARmAoS0G3='
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
curl -fsS -H 'VONAGE_API_SECRET=gniY5DIGMyh8BKnh' https://api.example.net/v1/status
docker login --username deploy --password 'SFiVf7qrQBuGgR4LwfGud78BrFa6q0FE23k4nJCBuzH4iUEHtJ/qmk5eDglWcyoMFkVZGCDo93pR+ABaYapibw==' registry.example.net # upstream_auth_3
export CRYPTO_PRIVATE_KEY='xprv9s21ZrQH143K67gxzybAhioEmjhKPqVLMfix6SKnbbo7QtWz8qe2RcuyXgniXTKLB41SsYgtRDVi1mo433RJncbCiuQ67x3dYStVW81DCgr'
docker login --username deploy --password 'AKIDMVlYdesrf4mzdGKhvKjra4U8JEkC827D' registry.example.net # tencent_secret_id
docker login --username deploy --password '$krb5asrep$23$svc_3nox6g@CORP.LOCAL:23e064a3b179f5db4ed7733a7f342770$ed47d215049b6dfec0617c5d7bec4482d10cc8098bc32b6fdd1e05505ac1d5837e66b9245d4a6db3c0b9a0e7f6145b9045cfc05d45be86ecad6693ce2b8617758879bdfa0e2f86479f51c0efaf6f01765a962abbaaeefd0c1118397b8071d2d77bcd4a753f13006703516c52fb62c02ed5267290a90e7b37' registry.example.net # kerberos_hash
curl -fsS -H 'Authorization: Splunk 8ede7e00-357e-4d6f-a107-1e749b4167e2' https://api.example.net/v1/status
export HUBSPOT_TOKEN='pat-na1-fa74b47d-2547-4c54-ac06-d82f0c47826d'
export UPSTREAM_AUTH_5='sshpass -p pjvZeoj9YrVst7lj'
curl -fsS -H 'SECRET_KEY_BASE=bdcc6ec8e2f9a10622f461d0d50d93ac56c730b12ac7d424184859530509ebfc078dbce3d5a07e5dd9f2c95c23acc1ac4797c840e4c1e744236026e9aee02f66' https://api.example.net/v1/status
docker login --username deploy --password 'dapid3509dabcf617d2753e89b86af50c275' registry.example.net # databricks_token
export LANGFUSE_KEY='sk-lf-bfcb3de4-f99a-4855-a389-8a80c1f0f8ff'
curl -fsS -H 'gradle.publish.secret=DXFUUQ681AbSkT4RpMo8hKVQvF05nzN0' https://api.example.net/v1/status
curl -fsS -H 'WIF_KEY=KembM6yR7hrTYDWVvNfG3y8dchrZCr5aYmaeYvg5jDBvnsdRJF7L' https://api.example.net/v1/status
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLXg1MnZhZmNzN2xraiIsImlhdCI6MTczODMyOTA2N30.nAZIyBVLHpz1MrBuqRrqOGfB6v5YoueMhTwRmvfPPZI' registry.example.net # jwt
curl -fsS -H 'ASANA_TOKEN=2/2548971418687537/3488501640230607:0a51a9be621ed4c7d3584c2f27fabd5d' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # upstream_auth_6
curl -fsS -H 'MAILJET_SECRET_KEY=6012668f73f363bd5c014b4917b393a6' https://api.example.net/v1/status
export CLIENT_AUTH_3='gloas-MshTBjgswG16QxCGVNdquv9JwxTuxF8Hlin3c5jjPAFMgFwJnnw9OgfMqahFJKXS'
export AXIOM_TOKEN='xaat-c15e549f-d369-4637-a86f-3fbe94024998'
curl -fsS -H 'TWILIO_AUTH_TOKEN=d042d587442008cae88e5002ab920e96' https://api.example.net/v1/status
docker login --username deploy --password 'ZXpdZ3Yza0jMV1pSHWYKP08zZJtUs+N8lAIoTMAVT17=' registry.example.net # azure_iot_key
export CREDENTIAL_3='EZAKgXM5tlqdS56w3URygpKRvW4VK0tevNbuvSWoRaUWbDRnasXstXMbdC'
curl -fsS -H 'Authorization: Bearer TlE3Pn8-LkpIowLDM-DCa5-T74vEWNRA2l_FBP8P' https://api.example.net/v1/status
export VAULT_TOKEN='hvr.muJNuY1Ylh8IOYsyFDVhNIH4m_m1EG'
docker login --username deploy --password 'p8e-uI6EqCIbZx4JdtmWT9z5HqMdXmzaCYgX' registry.example.net # adobe_secret
docker login --username deploy --password 'EAABFh7hNjEds3uzFbUt0nGWUyfm0uMht09vTkxeqSO8CYRcoh24C7Ow4255K8DaP4sccN6Sz9vlXPlNZHLfO5PtbvqUiYULfmtbmVMhQlzjLnQESCrVhKgixtVP' registry.example.net # facebook_token
curl -fsS -H 'OCI_AUTH_TOKEN=uLmrc1DtU3T74WTR6Gt6' https://api.example.net/v1/status
docker login --username deploy --password 'hvb.dyjDkHJWRvkThzAT_ekbGywxtw8BLNtquIsprMKR12PhjqVlELHACr0CsKANT4sPFbWyB9lJ2R2vf2YtZqhZCW8aNCEpzk7jMTNODfGkhl5PnckZdqQpC4u3W9i3wNQWCT5w0QLHKVfG' registry.example.net # credential_4
docker login --username deploy --password 'glpat-xv0Q5YbIWANMQVaXeerd' registry.example.net # gitlab_token_3
curl -fsS -H 'SNYK_TOKEN=36adcf1d-1697-431c-a496-69e1489c77bf' https://api.example.net/v1/status
export SALESFORCE_TOKEN='00D4eawwnhByPkDWTd!wOh4eCDtVikyhI1Ja5Muj3brLqT4kCe4rIu70qLc.plFRAxOSC3ZzTP00a4D2AOeZLiFaybPQ105084Qu25Sb7K6gkREwEZg'
curl -fsS -H 'ZENDESK_API_TOKEN=lOZTNrz2V6LuTpMUwaDj5Q8p6pfZBZNxxsD09fvo' https://api.example.net/v1/status
curl -fsS -H 'CLOUDSMITH_API_KEY=7f67f96eb347aea2434fc6b231045f02fd8b27a9' https://api.example.net/v1/status
curl -fsS -H 'STABILITY_API_KEY=sk-ryfwxHJuLFlUcz8imSauV25JnZqLRLF3FzZydVkg8VwS0nwj' https://api.example.net/v1/status
curl -fsS -H 'CODECOV_TOKEN=0ee5ac15-0ffa-4f08-a510-90f04a1ab8b5' https://api.example.net/v1/status
docker login --username deploy --password 'tfp_HJiCcmlrJLPeFaQJyn-oysuKwlypdIyMX0sz09r3sp394mu70xs50393ubf' registry.example.net # typeform_token
docker login --username deploy --password 'NRAK-WMX3RL205C2YSN1ZM56HVDC17MP' registry.example.net # client_auth_4
export ACCESS_5='xoxp-49940628988-77628585606-4101527606140-6714748f780ab0a197260ee4392c759d'
docker login --username deploy --password 'dor_v1_c4747a25b4245630a4dac2cf14add15045f24f9ad38b853c1fddace12573e76f' registry.example.net # digitalocean_token
docker login --username deploy --password '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' registry.example.net # groq_api_key
curl -fsS -H 'aws_account_id=187981833067' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=1dKm0gtjt8v3L6zby2oKtf5ovnzapLkuA24pMu486xY3Ic8cs8lqMelmXgLoD8Y9' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=5251f74bce3c73cb3b897d92f1a7e513' https://api.example.net/v1/status
docker login --username deploy --password 'glpat-bzppbWFhCnU6NHprY3YulNUII8pTyIsMD_niMEjiEA.01.160i0f6c0' registry.example.net # gitlab_token_4
curl -fsS -H 'SESSION_SECRET=XtMh1MAakhiGfX44slIj3qOCBQ4rtvSf' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=6fd81444b758dc4fc69f31f539f649ff' https://api.example.net/v1/status
curl -fsS -H 'GITTER_TOKEN=14wMBRXo9vAK15JHG-rN8VOwqJLWypqRN1vDpipg' https://api.example.net/v1/status
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXwljf7AAH2Oedjrh52WqhxdzAFXpQpgMJkixSYzpdD0LtW4JGNRkEjN7mxLF5' https://api.example.net/v1/status
docker login --username deploy --password 'NRII-gCHF7KJlOiIYpkH5dF1uxh3RNfkLWcmZ' registry.example.net # auth_4
export MAILGUN_API_KEY_2='key-c0116cc5141262fc40536006480ca56a'
export PREFECT_API_KEY='pnu_hiBADzaJtZYESuvxvIjsLPJlxR1jNHynUdHA'
docker login --username deploy --password '48e46cf2e188878aac107cb4c8c8b6fc67faNRAL' registry.example.net # credential_5
docker login --username deploy --password 'dckr_oat_k51rintO6KqCy29Tftv7R1Tgkh7BT5Hz' registry.example.net # docker_token
curl -fsS -H 'FRESHDESK_API_KEY=CHb9dQ10fSagrfAU6JaE' https://api.example.net/v1/status
docker login --username deploy --password 'sha256~UdFkMPEgwwU8zspUWK_yO0rx3Gj455AP6AFFavf1bCN' registry.example.net # client_auth_7
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjkyNzZkOWI4LTYyNzAtNGEwYi1hMGJiLWVjZGJhYzQ2YThmOCJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiDqKNCodHXA3ypuUtExsU_AqtmkQzyxnmbBm03WwyWbzg' registry.example.net # pypi_token
curl -fsS -H 'MESSAGEBIRD_API_KEY=FbBcS322b10dIMiBBn0LBKwOk' https://api.example.net/v1/status
docker login --username deploy --password 'ATTAPAmqs9UK4Onz79cy5cVe7dsnINzq2miZ8R3qz89pkD2aoPMmRhvxiKj8XDFa21H25ED4D58E' registry.example.net # upstream_auth_7
export SENTRY_TOKEN='sntrys_eyJNALQr4Dnii0cszwnviNHryXJtNPkcwXjKL5B2OcgerwLetTBwJQwGtO+eA3TmRc0IfPV5vjvqo86yX25BsC5/06FF/qh9Q/sKHYM_wKAtPC2ewFY8PfxIZNs8pqsPgGdDkG0N7CC0ZKYCPxd'
curl -fsS -H 'SUMO_ACCESS_ID=sue7P2NeTBCzrP' https://api.example.net/v1/status
docker login --username deploy --password 'r8_iplwdGJs842M2Lhh8d2behpoMPkK4pB7MhGfq' registry.example.net # replicate_api_token
curl -fsS -H 'SNOWFLAKE_PASSWORD=oXRkjzNckkOLiPuFmaSExxYk' https://api.example.net/v1/status
docker login --username deploy --password 'cmVmd1ATF9ijknpGhoElHuwPCVBdDecdrsQo1TvoMQkB3EaW0iKc5U00enJsr3re' registry.example.net # artifactory_key
export CLIENT_AUTH_8='pcsk_wgpC26_EOfaVy75qCIvcOyaJfBNq3njVK6XndYvXtCMy6s6ZdYIgzaDOcy4QEurQ1fhxdKq'
export ANTHROPIC_API_KEY_2='sk-ant-admin01-D4AjTAbtNzlJ_c9xNNZBjN0UWnRZ7bUdsBdZp9eLf4NmTcxBYUeheswEaUQXzg9yjoz_9nwmtb0FEuLe9IfS2aDh81xQAAA'
export AUTH_6='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'
curl -fsS -H 'ARTIFACTORY_TOKEN=hanw2JIFZtrxbBEjPLuCFtTUdP000Jo1apk8m2rQ4zglWAVkAtGhJGzVPf9Ad4eX' https://api.example.net/v1/status
export GITLAB_TOKEN_5='glrt-hA-9pJZpUDvysbdE5YIC'
docker login --username deploy --password 'xapp-1-ST7I0WVCWO8-6620454267301-8daee21c5ea54df670138f6a5ae8d549a5d4161e71c6872d495a5f59676b9243' registry.example.net # slack_token_2
curl -fsS -H 'SEGMENT_WRITE_KEY=zX7wMhyoSM5J8zPwal5NrQJAf6vLeaBn' https://api.example.net/v1/status
curl -fsS -H 'SOLANA_PRIVATE_KEY=2umQ1YdAyD4gdsfqZDNuzLwWDNXBBqd9GyQGW1t5yJZeotA1Xnu29f9tMs41LnRBPJH5SjGPdH2Kir6vs7Snnvv' https://api.example.net/v1/status
docker login --username deploy --password 'dop_v1_87234a6708515d62ed4b1d27647bd75c159a1fd825a9818eea9d92294b64b133' registry.example.net # digitalocean_token_2
curl -fsS -H 'DSN=prod;UID=app;PWD=ID2rHTMSSEFCTGEg' https://api.example.net/v1/status
curl -fsS -H 'ENCRYPTION_KEY=c0c5d6b6f5eb8e3aee4966ae8c41ebccf07bf77029dd68bd12a2e1c0469add74' https://api.example.net/v1/status
docker login --username deploy --password 'sk-svcacct-4jeFHnhzB4wSbpV-DBsJXmjB1b0Hv4tqyl5GuSRLLIdVYMIk-6IXtf0fm6iN4tdXsbdMsJgul31kD9EdKXB2rSxxk3EH9IohoiU2wfKYKw4cuChNPxU6BusWkfjKzlZpwb8OazOEiunDIleCWeZxfALBv3CS' registry.example.net # access_8
docker login --username deploy --password 'dp.pt.WARW16QjJ5f4fzi1Ag0eVgbPlGzBC8EKvHrXYNU7pAP' registry.example.net # doppler_token
curl -fsS -H 'IBM_CLOUD_API_KEY=L7OXBIgIrROGRHfywhVC7uoQdTeX5vKP1JRxFapJmrjy' https://api.example.net/v1/status
curl -fsS -H 'AZURE_DEVOPS_PAT=ti4hvvxm7piul34h6m6ok57muvwkh5njvcqjdhkgqv6srp4hx3aw' https://api.example.net/v1/status
export AUTH_9='sgp_20eb534ad4e6887c_bfac9fb018efda6ed54e060f5e8cdc734e8f4f08'
docker login --username deploy --password 'sk-admin-DYGBVAUFKjpaBLDC_Weho3gaKS6Nl8UdL1sqdDJEgZkMvzuwyEiL9-7m-O9lU4tBIqPBXHc0WMoaqbbRqTeU3ukTjIyFZK4CqsDD5tqyla_33Jy_mWpXQpa58w-wuty1B-8tjAyFZfVY9p6aKOM2VIH0pdxO' registry.example.net # openai_api_key
docker login --username deploy --password 'glc_a7AsIy0j84tLEm4OPzpOwHUMhT7gFd7y9qU6W/VhBRCLaMhzoyL2wQApkmi6' registry.example.net # credential_7
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
BzKKpggNPOgjc+maV6eGBMXiixuJdUc6cyO2XsN4g9GjKcs1g/rObk1wMWEzuUnT
KcGePOHmKEk5uP3Dy7XCKEcbYk5Jb+x+gmRFf6AijcwekmKYL7/Me9QZhb5h6JD9
RFizB4hx4Wx5ktrWlGXSJq9H7D01TGJeLg35AkRKJXoaR0ASZygV50q/xVlsqQmz
NY3v8hGbtZGkBrJNHvFevtDHrTPu5vOhw328aYwh5QHHKAoRgYf4PqCYoWnDqLU3
/ABdos231HV44NlFswXRK/iIshz6jiv+5h6B55rMZIYucOUWNYXMVuYtpDpA+yLv
1MUemclvMpr8oe3YUpf6Nou8yEqTJ5h2kOgDmvtBx1W8cI3jslIzP260yRVaIEQr
cjawNXbqolRzk4y0/vzjO8H040Xh5deVpDJcaxEtOJt5k1eTe5G9U3DL69+avq2/
smLENY4S+96SnTLvTr8EpFtxiPsoEF+j1hHQ5ybBHMAO90ozJMQdWT7ZI5Mi1mL8
k26tK7QJvMDWhEo9sTpigabvADsADa+GIaU+5ZCjVD7EfDNZwZOX9H7Vn+VHj4cK
kj813+H43618MYgPnWUI262x51gLAZY7V52imCKKLg3Mb6LXojssjNA5FWf2SP6h
xeZb2sKeTL9RF1RK4EbkTtWjH7tz47+csNiriSyZ0Kk+z0LG4BWWFnoB7/RFx4Mw
HrHHzOEiTPoB1gbGHPtBeVUwcq/QeXSyrIusK6bFMWLufpVcqIFcyaLA4CVmQ1/A
NyWH7WGlMDKOY2M9uAT9rR/b46kUGVLb
-----END RSA PRIVATE KEY-----' registry.example.net # private_key
export CLICKUP_TOKEN='pk_71859870_2XQ5M3ALHENWVMW2QSCQMV3JDDXQ4XR3'
curl -fsS -H 'GITEA_TOKEN=df2082359859365ecc3abd1a9acaf9704a17f029' https://api.example.net/v1/status
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=fgfgndC0ENX8xP8NahP2y1h9DQsEFa' https://api.example.net/v1/status
docker login --username deploy --password 'AQVNMWaL6w73gu7sxsJouhPMwatuE7f5WpMbrhdw' registry.example.net # access_9
export CLIENT_AUTH_9='essu_0FYX7Yp0G7XzeaZUZtlLJNzUl1QlzvrbSaRN/KBhp0Kldelp2erGWHd1XKwlPJ2uybyZ4tHcY/L2jRrG'
curl -fsS -H 'AZURE_OPENAI_API_KEY=224cba590b313d5722a892984a19ecbb' https://api.example.net/v1/status
curl -fsS -H 'ETH_PRIVATE_KEY=0x5289f4351b74ec0a23d3048d2f5b31823f35582e9222f1c9050459aa813fadff' https://api.example.net/v1/status
curl -fsS -H 'VAULT_TOKEN=s.O7cICXmIiX2umtMYOg9SrHpL' https://api.example.net/v1/status
docker login --username deploy --password 'y0_AgAAAAdt1xCKXLy6MoijgPx6oSFqolPsr9kuhJQvuOgfKd-roh4GXATR' registry.example.net # yandex_token
docker login --username deploy --password 'xoxe.xoxp-1-IgIIbzk7NlkJbexjdytzVa6MSQtl6cXNAK5Tt73SXiqWoKQZZThFkjaeFLjdSg87K7q48XtuS2qxHNMHpgOIsfM17fqV8nEORGsO4E5WmxuFWwUhlcXeyM11sdCnuAZjeRRdj182WrxLad3CjXauerWbUrIfpiEV' registry.example.net # slack_token_3
curl -fsS -H 'ASSEMBLYAI_API_KEY=e2bbb453fd018941496d50e6bd61bead' https://api.example.net/v1/status
curl -fsS -H 'INFLUXDB_TOKEN=zmeI8MkH-ZD9J7ZkOfSwTQOzpPbQBmxItaF0uPOt-zyXeIY-Ao5Pl-hjq8gfV69LyHDzI2LwDzU98TtN89CDNm==' https://api.example.net/v1/status
export CREDENTIAL_9='shippo_live_d822bc9190799e3eb4f69d89ff84f61260570ba6'
curl -fsS -H 'arn:aws:iam::677965528261' https://api.example.net/v1/status
export GITLAB_TOKEN_6='gldt-1x0d0dPO71_yqyr7h5qr'
curl -fsS -H 'Authorization: Basic ysoyY82u8UkHzqIOqnpKsCKtYJQuG3cZ' https://api.example.net/v1/status
export AWS_BEDROCK_KEY='bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t7esqwTUQ0cCN9rvBWtEAs4dxvBGQEFS/4RrAjFYrOXkrCM7KgKat14izd5CMiPzL0Ja+BqlIUy3FyGAz5FgEarzSY3R6RK9ZYd+YbXKcytLZzH+0imcThku9X4OuRg1863YI0Y0vZBSbO1vCRJtqdxNMnVIugnCKLKJBbJvvpc+hocdFDCz0QZWptgi5vwiD4GT/oCfTkTkb6+FuDwO2fvQOFgkhxm0M5cOygbaMlSSKqAYWs2YK/ibN5Lq8QEVo6jhYzFHLmU4ZAzZoSwUeQ1vJ0chR+HfEtPrarQkStRg2D5BR1vO8jlq22zRbvSemdiYDd7BJBwqu7fAy/wSQaIKs3LtbMGnhQKd3bx0oAxPA6wKmLR3k8/BtAqV6GG3u3OgiwT493DqDRB6MGeV6pyxgC7Urwzm5MKWmCvzw4pH+zmzmALp8l5o4gT+rWDDnQqHiet9OWFNXomfGLf8JKrASsXj1P1Z34bO583zBFRUxZaXUF86o1dZDytAVs1wb/FVZ3HvUjntIwPgphYc2wX6WUjCKwFNF6cEFUwqI0va5+dz+UYhFrsk7EWocMXkK4DT2uWV+cf+KgRE+/sM9TmAu'
docker login --username deploy --password 'n76Wn55yhF1DBx.atlasv1.KlaP0VG11mVa6lUiQNn_cteSbXqD2LJK9MyEQ_ZP8hVHXHxWdHGLUEyQWc69HsmG3N1' registry.example.net # access_11
curl -fsS -H 'GITHUB_CLIENT_SECRET=20e279631813c0def1cb2b494615d494d93045cd' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=hcx126gsp36ti5jy4t0q2izcd3dxo2' https://api.example.net/v1/status
export AWS_MWS_KEY='amzn.mws.c1bd509d-ae80-426d-a57c-c76673e3ec1e'
curl -fsS -H 'Authorization: ApiKey Pc+AFUmil1O/sFGYcraYg+4rdXAL+hfDOArOxQhqeRCFv6BlDeG1LruEHjzPcC7eImMwxRDrDrmd+kac==' https://api.example.net/v1/status
docker login --username deploy --password 'sl.wnymgADmEWtV5ECLbQ88F5tKgIVqFbx8NHuX4Hzb1YBr_UST0P8pr86WMiCokL8FVY1_9UO0Xx18mhnpm99NUEzqwHnDdNu-6IVmkqJsk5qT8tu8rYVxAftGENMsdZzL1asoxr8WSzDW' registry.example.net # dropbox_token
docker login --username deploy --password 'dl3vPpVfusv8+q9Kejc+RjwPS5A/9i3pabpoWoEXW083jl1FZob8jnfKgY4A8qI7YczirXOn5Q7CACDbp/I9ig==' registry.example.net # azure_cosmos_key
curl -fsS -H 'RAILS_MASTER_KEY=c7bc052b1a1a9b7543b4ca8b4b37099c' https://api.example.net/v1/status
curl -fsS -H 'COINBASE_API_SECRET=loJwsTNXFvEO4BXZBBNC8iJjNlJ4b9Mh3saJaXRXfcx8H8eBvYNBVZCpLLc9poYS' https://api.example.net/v1/status
curl -fsS -H 'WANDB_API_KEY=46f216654965c7889bd6b7a70df0906af9c49b96' https://api.example.net/v1/status
curl -fsS -H 'ALGOLIA_ADMIN_KEY=16adcc4d8d0889968c19dad10b1d3a30' https://api.example.net/v1/status
docker login --username deploy --password 'access_token$production$735wg3a647gcz904$6bd563f9869a5e825f9dcbaf1de8eca6' registry.example.net # braintree_token
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=OjoVQOw+Mvg1F9mDfrZcMUi9+Tdp5vzkKBH53tFFCwk=' https://api.example.net/v1/status
docker login --username deploy --password 'pul-fdef4e200d5e4a05f112304f6281fd5ccbe13d6e' registry.example.net # access_12
docker login --username deploy --password 'ATBBdlVozlzOdF3yC6vzDezt56ZQzjRNl7n98A90B229' registry.example.net # bitbucket_token
curl -fsS -H 'APP_KEY=base64:t5tLvSpwHTZITXCOq1D3PKnve8svC0wuKvNhKBFnT3B=' https://api.example.net/v1/status
docker login --username deploy --password 'xoxb-821766367524-7866937368603-41e5HA08mXx5i6y9U45bvVVu' registry.example.net # slack_token_4
export AUTH_12='P4UWLV49In2TkIpU5msMF5hHePqJ9uC9Vg3DQsPY2zQzW8DS/nGBZoix3XvWkH7siPL2UWBdbskw+AStCo1pqQ=='
docker login --username deploy --password 'age1570ky68jfl7x6j8lmj5h0s42pd7hzv68tn8qk5r9zjmuhzeahmeq4x3q2a' registry.example.net # age_recipient
curl -fsS -H 'LOGZIO_TOKEN=xxhnenbaozlzagdpNYUCGYRHXKVZRXAW' https://api.example.net/v1/status
curl -fsS -H '_gitlab_session=11ad5b90daa77097c339b4b1868323f4' https://api.example.net/v1/status
export HUGGINGFACE_TOKEN='hf_4rLjfGTUUJy9bLY8bewmmBjb6UaKaWmKsb'
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-T0Dks9sCrjrRisAbuJ5J36PH8dk0eBr2FwWIqfCx' https://api.example.net/v1/status
curl -fsS -H 'HUAWEICLOUD_SDK_SK=kiH3ngmBYdMZXkLSLTqKBDKdsbYFNRDqkNoTOvas' https://api.example.net/v1/status
docker login --username deploy --password '$krb5tgs$23$*svc_j2uasw$CORP.LOCAL$MSSQLSvc/db95.corp.local:1433*$0a942516e097fdbacf67f3e3f302ed3a$177668ae8605f7c697a568acf73b7a184f397ad21fb8a1601d9b27e97ba476cd993f4839be837931a69b14c34a6a3424b09f71e3b3df16a1f9f0ead85de45500cccd4d5c0cae47e6cc5341fb0b0f5b316e6b838e9883f58e63490316e0b1db352a3cbd94e1f1626fcb0e58cbe7f0c1f6db2143a33a47fe55' registry.example.net # upstream_auth_9
docker login --username deploy --password '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' registry.example.net # maxmind_key
docker login --username deploy --password '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' registry.example.net # credential_11
docker login --username deploy --password 'ghu_5y9plAoeSsXVvmo2RlDy5pggRkVICz4X7STo' registry.example.net # github_token_3
docker login --username deploy --password 'IWpdSAAp4jBErlSbb5uZe+HOI1qG9qJBrAzCaJJ+KnQ=' registry.example.net # credential_12
curl -fsS -H 'KRAKEN_PRIVATE_KEY=MsK5LuLzphvRt5DtZxnVgiJ2S6+Nz7Ih8A93XzLeCdLRGM0b4mWFzBY/AljVYl7Qn+NqXIL77adxtOOMgBE+hg==' https://api.example.net/v1/status
curl -fsS -H 'PLAID_SECRET=178d6bd2400b11bac97d7d5d12e857' https://api.example.net/v1/status
curl -fsS -H 'DEEPGRAM_API_KEY=d0d0b6742f4440258cb27d19bd938136a78212e8' https://api.example.net/v1/status
docker login --username deploy --password 'doo_v1_df901e41653f7b38307dea293d5242bfbdf9dc68ad9e84265fdc1b2cd08eb255' registry.example.net # digitalocean_token_3
docker login --username deploy --password 'xsmtpsib-f9a73d861fdbf98d80fa1b76359c3eeed4b1eb78e8594a0cd9a9fcfe2f40f5ce-BuN9AfW4qhKGaOmp' registry.example.net # credential_13
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: ln7eAuc3OA1jBzMMhNo4dz==' https://api.example.net/v1/status
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=vsgUKZkBEsDLJ0BWxuVhnN1s2FA4KyxT' https://api.example.net/v1/status
docker login --username deploy --password 'sbp_d3ddfbc7fbac801faf67c27ae53593ddf932b32f' registry.example.net # supabase_token
export ACCESS_14='fw_NH07e4Uc9SEYYPwYYejXueyp'
curl -fsS -H 'POSTMARK_SERVER_TOKEN=50c97984-4cbc-4250-a76c-8491df6475d2' https://api.example.net/v1/status
export POSTMAN_API_KEY='PMAK-5cb0af5ffe80bdc686545987-9764294968ed4f82f78b37c88925634d05'
docker login --username deploy --password 'HRKU-AAK_lr89yhXpjuE9rc_4pu8nQZDxCWmyL0f-0zEywu1FYNFzjKu1qZBDB-2C' registry.example.net # heroku_api_key
curl -fsS -H 'SPARKPOST_API_KEY=370a2e864a634720b2d02c70d9bd3ca46090acea' https://api.example.net/v1/status
curl -fsS -H 'ETSY_API_KEY=le7u0r5lfxof7bj6vw39w8cp' https://api.example.net/v1/status
docker login --username deploy --password 'EAAAGXwtdEr-FQAr0NuIB4axfhBPNQvJQVl_uKR6zMo8Terp-oCyzqpcFGOhFdSd' registry.example.net # upstream_auth_10
curl -fsS -H 'DISCORD_BOT_TOKEN=M2U8XNOSl0gchO8JLLmB71CRVP.QC7G26.T2IjwkESltp5CVBXgs4luL7Lng1xee9jlFaO0L' https://api.example.net/v1/status
curl -fsS -H 'MISTRAL_API_KEY=34jdmutdWR2RhyX523q9pQRN5Ld0wdja' https://api.example.net/v1/status
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiNsiu9WagU2/iQZ8KdEDzHTaxVO7W+TT+5/yOhlJq7dWc/+UBJluhwfSmSwH4fqaCT1GOH88Ts/dwVRjhYVWDx4z+qNlSDi7mlNf0pobJyGNsUKjXcYiQxLMPiCmg1/Dh1IpHCkdfWyv4P2i8AstzqObQFSRZ5KuJyB69+ixLmDC6xssWlecb4k1MXVYiuHu/Y7UpkzG3KsEk4lfEn/UcFSmI3cQJ7ORCyxYllHvOFeRYwcAJ/3c7DyKODQMIpqvBRQi+izG+hQ/vSRJ1bUg34pYd3ijiJLPKFk0ttXy2v4kXu+gEWzJ/+yorFFZTHj4b3AaL0/VFYbJFEn+8UP4Imk7i/sRa07wzJB//Un8EgV5QhHEvT3Lty3+upm3Hx1E+smhRBvWFHyxI5HiJ' https://api.example.net/v1/status
docker login --username deploy --password 'duffel_live_igqLF7ARg8_F-Lfow1bfGYw34v25gVSlH5RqSJS84T3' registry.example.net # duffel_token
docker login --username deploy --password 'access-production-9de81e19-4dfd-4c00-a638-ae24316dc425' registry.example.net # plaid_token
docker login --username deploy --password 'pat.I2CGVGHGlSvnOK-GzZLzyS.tm1yeOBPySPCxxpYzvZaDdGy.mecnwFX68JLScvkF7zDq' registry.example.net # harness_token
curl -fsS -H 'OSSRH_TOKEN=j/Ea6iUdb18kvlEWtMyVfgHuvwkbcklR6EDxFVSlcgbQ' https://api.example.net/v1/status
