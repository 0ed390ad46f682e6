#!/usr/bin/env bash
set -euo pipefail

curl -fsS -H 'SCW_SECRET_KEY=f4f6104d-88c9-4f22-ae78-b600c5d51c10' https://api.example.net/v1/status
curl -fsS -H 'AZURE_DEVOPS_PAT=bfazsxc74fiu25rrluixy2hw2xzah6fzoxueoe56fxbmm7njvbhp' https://api.example.net/v1/status
docker login --username deploy --password 'dckr_oat_QJy_xnFAdBRuHkCld8E2DBuVSpgxlorz' registry.example.net # docker_token
export PLAID_TOKEN='access-production-9fce2cab-1b2c-4231-a73e-5b6b3c05fc08'
curl -fsS -H 'gradle.publish.secret=92A5lnyGru9wiuqBPS3Lb5yXwEYSZjlb' https://api.example.net/v1/status
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nLk2TBNURP1wYC7gIkHtxFVar3xcbvwVL8C0nUew70ig1qN8BEsvjfFKUDiRc+CvT\nMQg6FqoqXMIz1qAEsoGpUCwTPpJwNEJYhRxuPCiiVL3RNAHoUdGx1+UzDE254/Nl\nBLSdAPGiaTATEYdm6ANqE4/xZAzubKMdxgUoLDqD16vJ4bSGBiiN8+Zs7c/4twt8\npOqa5rj/9VPHeZTFnFkkvJ541UgWIzdZCmcwWD1gcVXeMYOeWvtwCbIuw4nWsYwM\nc/CNY1DVQxFBGhcOi8CDD4yy1eZDNtXGUTgU+h/8i442FENi/9XkbIg3hCeCkOVS\n692lljZh3KVEWHmMJwRjdL4x/dZ6gfYtln94W+0dqWVb3PMon7w6tfqrHEaa9u0X\nwENz+by3MVtNfH43i35zhSP7/1gutyvdLx7j7pSQLPptS6sESPYaExpECt0g7hr3\nzhbW1TaSUSjlA7q2aFpDDBMZCd/nK+yX\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
docker login --username deploy --password 'doo_v1_49193bde403be745bf318ff5ee4bb9e163d84a1146bd2eda93ad2f67190534a0' registry.example.net # digitalocean_token
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiOdnfrOLCOrO6a/H9UOG6Q5WBx6jHj3ieaqGW+C7UAX3g6HQ3vM5+jZSfL1wpECyCNvMTy2dudA+mkRNc6ZZRJKxTPUfxc0q9L/zO6uciPdN8oteBh+cueoKQsF2HCBlvtQNTkBrw67qxQNVWTPIrZrbA9QmLr5IMLMnDypflUdjqD0ji53kOrgciODXCZVFcaYc+2qvMaV/CiB1qjtpKSo0ygL85fVQbuzowYsCG7Ka+Y9FATFutMClsPc3BL8cQ+vaWDIQWFicSb8LvMytk/p+z05jnnFdhSE3K4TbqSOI6BhRpJXAwYLYEt51c28a1IXUGkT+nseLE6F2Gz1t4pAWUThCO4hvqhPMnpPgR3leYsZSNL4wnISznNHlb+4JXTP98agjJBb0eIA+A' https://api.example.net/v1/status
curl -fsS -H 'IBM_CLOUD_API_KEY=O27WL_eZi-sMBsbtrMJ3aOXzStCtllkTqTbLjAN7GkvK' https://api.example.net/v1/status
curl -fsS -H 'ASSEMBLYAI_API_KEY=f4337a26714dd881882f452be52ae5ff' https://api.example.net/v1/status
export ANTHROPIC_API_KEY='sk-ant-admin01-ltqYHR5qzA9j7mJcqWCwCmqkUMdubB2IoKXsTgLCzIeFkF_DvyTkplAsSEYD9RnntmSdS5fiJOCqT2v0cmG3UuSEyLk9yAA'
curl -fsS -H 'SENDBIRD_API_TOKEN=55ebae6d396f53ab6ff34bd7d06d3d3b41976487' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # groq_api_key
export DATABRICKS_TOKEN='dapief49d48c04a3759b41169da183f1ed60'
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_JKNlPDpqXKxXGCmXp9phEUjaRTbxfzYpOn7aYQF91aT' https://api.example.net/v1/status
export AGE_RECIPIENT='age158lzswy3w9f0njkmuxpauzyc5qlxveqs8z9l3mupuhucvcu9m0wqpxraju'
curl -fsS -H 'GITEA_TOKEN=d66efff9d1f318205e77a1fcd9bc2e500be01ee9' https://api.example.net/v1/status
curl -fsS -H 'SOLANA_PRIVATE_KEY=82oLUn2eozSUTHBM2LaUyP4doinBr1UQvdSM6RGCEH1hvhh2yGV2TQmCJX5kKxHTi87gmKR8MAPxafedeYUKmzA' https://api.example.net/v1/status
docker login --username deploy --password 'kwrqkGyac5kpFqkdaolIS984EDHKVWvVbAZEGAVCWrx=' registry.example.net # access
curl -fsS -H 'SECRET_KEY_BASE=73408ab13192c1d23af1f93dcaa282b836c43fb21ea962a0a4441ddf472d4599d1090c982571221c874a5769c111ab14365efac2d4bac1cc3fa8c1678d739506' https://api.example.net/v1/status
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-jZWTlVXe8reEcN7HsFUXiLHIneAIIYtwsu8njgJ7' https://api.example.net/v1/status
docker login --username deploy --password 'machine api.example.com login deploy password FE7Ur1dqBG4f44AS1vB1' registry.example.net # auth
export BREVO_KEY='xsmtpsib-a18ff377d1b38d258d9855a0346a63bf695b53f5b24bd376562c10cf1ec29a67-QtJKopn1AZwrPzmy'
export AWS_MWS_KEY='amzn.mws.b1c61ccd-970b-4b17-accb-4e78ca768ed3'
docker login --username deploy --password 'AKCpZMjrE3BZezPDvFJuOMZ9gs6NVcTm0wg3vOMXYhqSzBcyh9c6ekfKmZt4DmO2uBKflrVrY' registry.example.net # artifactory_key
docker login --username deploy --password 'hvr.a2aiaSdoTD4sEf3pbVvs8aT-sNDgK3' registry.example.net # vault_token
curl -fsS -H 'BINANCE_API_SECRET=YivO9VX9JTUW8Fqjkscrmc3KU3GtDvXvYbC9mu8LUXoqWEqaSNRcNI5fGE23oEj1' https://api.example.net/v1/status
docker login --username deploy --password 'xaat-9573dfcb-69e9-42df-ace3-5c17ddb7d49f' registry.example.net # axiom_token
export TERRAFORM_TOKEN='z1HlRBPCjgc4mX.atlasv1.zbRkM_EpgLPt9DbrbXzqFfsthCCW2wJc9q5tkO6AHM6tWanPz9NX5R0C2OoxV9Lo73K'
docker login --username deploy --password 'dor_v1_908e5c06cdcc5623250b1e8110e8ca6a2e84c1e69ceb45c311669124ed8b2f32' registry.example.net # digitalocean_token_2
docker login --username deploy --password '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' registry.example.net # auth_2
curl -fsS -H 'TWILIO_AUTH_TOKEN=e02b394a52a9a97efafa8d21af7afe10' https://api.example.net/v1/status
curl -fsS -H '"auth": "MFe7IqbVxI8Ys6S5SLHUNRw1BIOxQ+bZOUkvkmCT==' https://api.example.net/v1/status
docker login --username deploy --password 'live_189157702_k7OVJHZ76DSa8QhBUM525lNNmwHYWt' registry.example.net # upstream_auth_3
curl -fsS -H 'COINBASE_API_SECRET=7yuGdSQ7iiBSilGnQMxOw7aiuAnuudldGLv_T87a58oqWXdRB-PAZSN86tIlTfQT' https://api.example.net/v1/status
docker login --username deploy --password 'xprv9s21ZrQH143K4zrCFESXo2FEFfKHB4mjAnQSkV4dAdyfajPiaVthJtN3B4yNq7Fn8bFbiZB9Azh4csr9kR9T1myGW9T3UZDMMrsQaPVTZQa' registry.example.net # access_2
docker login --username deploy --password 'p8e-UsnBPBiJBNwsWof38YuqNljDvozzZTK7' registry.example.net # adobe_secret
curl -fsS -H 'ETSY_API_KEY=2o8ym2auapcyaxbf3idgfyiv' https://api.example.net/v1/status
export ACCESS_3='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'
export AZURE_KEY='lzNOH8JRsdvfRXpsGxDYu2gVNIWHVsi4qfwQSdDZNj4UpJNWMg0DJQQJ9DzEzG7dZ3iuZLUdUfyXDYjvqDLU'
curl -fsS -H '_gitlab_session=a55765ee9e234b9da0004966d54d1666' https://api.example.net/v1/status
curl -fsS -H 'ASANA_TOKEN=2/4999942700973633/2001389362240209:3b52feb81045025ef7ad0aeb39a3d98a' https://api.example.net/v1/status
docker login --username deploy --password 'AQVN26KWe9s6rtrjnD7yGw8PE0kpQ3_pgcQ0qkoP' registry.example.net # yandex_api_key
export CREDENTIAL='PMAK-ed8b6becb9432deec6e01b9e-b983c69b9371f9430683ac5a63384b7579'
export SLACK_TOKEN='xoxp-85793717459-08516467568-1058548862779-d06621076734ad77d6791ae644b151de'
docker login --username deploy --password 'ATTAlDoNrkrCNWRmpLELdmls1wNhWjxD7dE77rW6ruc6Kstbgott2kxKRDVIer8BVwMx01318184' registry.example.net # trello_token
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=28bkzIgGQHDvGqRe3erP' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=ff047340aa04b0db88b177dd200c20d3' https://api.example.net/v1/status
export CIRCLECI_TOKEN='CCIPAT_P8FvbYmL5zLU0TILNrbGkk_0a26142b1163e455f2dbc089fbc89401f1cc1811'
docker login --username deploy --password 'fw_THjVCjfemlMpkUYMV3uviYr2' registry.example.net # fireworks_api_key
curl -fsS -H 'GITHUB_CLIENT_SECRET=93fa369a3b260141582a7ff8f25b20c354cc333d' https://api.example.net/v1/status
export AZURE_APIM_KEY='5OFA6zTqprzDCNFKKaaxJ8MQ7lf1ZU9CdPcPZO6JvoiS8yoVBexcNoPgvOnkIv6/r2eSln1TzxWkAPIMr6a/Og=='
export ARTIFACTORY_KEY_2='cmVmdUfwpnquKxcHFqFFJhGHjQsNQTA99GwzjvF8KZu6SVqCh6BDptsTMByeF9WG'
docker login --username deploy --password 'EZAKGwyJu6Geu6EicsMMqc23ZIw5bRjd9aOw8DwfflZBy2zoiag2WN6ybw' registry.example.net # easypost_key
export PASSWORD='sshpass -p IKBkIVngYjIThnjV'
docker login --username deploy --password 'glpat-N32tzqhaeN5_HbzYrdlw' registry.example.net # gitlab_token
curl -fsS -H 'SESSION_SECRET=QIq1fabXU7FckqOZ1cqkw4lccKuKJOfW' https://api.example.net/v1/status
docker login --username deploy --password 'sk-lf-c7591f99-bb81-42b9-aa16-26f148bc9fe4' registry.example.net # langfuse_key
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=kC0oziWhR3UNVuO1ULHZNpSE0ahu9Gpm' https://api.example.net/v1/status
curl -fsS -H 'ETH_PRIVATE_KEY=0x2b60fb263bb254321184120fa4e99e0f1f703d0fbc93ce50d70f69d78b332e75' https://api.example.net/v1/status
curl -fsS -H 'ENCRYPTION_KEY=03a24344a58c354de9fb576eed7df0611fcfeea15193b7420c5ebe33595b97d1' https://api.example.net/v1/status
docker login --username deploy --password 'glrt-t1_bzoxYmdkCnU6ejV3c6RCzyK7R5EP6en3NqJhsx4Q.01.140xekpzo' registry.example.net # gitlab_token_2
docker login --username deploy --password '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' registry.example.net # tavily_api_key
docker login --username deploy --password 'ghu_j3Qul6teqfKlRgMRUXNwgc6I8LFNyd2UnKAa' registry.example.net # access_4
curl -fsS -H 'CODECOV_TOKEN=bc0f0e5d-e3c2-4a90-a5d0-b5e2f34f3b30' https://api.example.net/v1/status
docker login --username deploy --password 'HRKU-AANiwiZbt3JN5Kao1bpz8B4MslYT86vAWS5ICLV_lsRqflp0GDVQlSi0rUqR' registry.example.net # heroku_api_key
docker login --username deploy --password 'aio_tP7BU6Eb2a1xAxRgoQLJtAuUCXwl' registry.example.net # adafruit_io_key
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=GkiJF2s6UhRgFOaEbvZu' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=j8tn7l9gx0h4zrffn4dfz2o1yny2vg' https://api.example.net/v1/status
curl -fsS -H 'ZENDESK_API_TOKEN=FxKuf1QxMZI4m6ys556ek7pLL59JFf6e1zXaTOsm' https://api.example.net/v1/status
export AWS_BEDROCK_KEY='bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tdsjYBSKThvuEj+favADcWX3g65k+zypZ557e+wEz3f5b1bduH2cQrk4ov9xr+WESRO5++9fH1v+QA0toZereXrUTobyyFw+06v9LZ2cmny1BgKHfgEsN7af9a4zSSPj4LW/EIKevR+X8r0rurwodILeUpH6DgpoESoRFlAYNHr82mRQFhBQq9V28CPD1nb4+eabGyh4lyszzvFdpffsNYyXK+xSD/vDJACtLGALZmXQVUBIVbFVYRpiAbm9Ce9SZP+MkUA2TQ1vWyWPzyJvCQCSeBJAwitJV+j36733lsco5Qi21IKmAdWH0iexmDo/6IcBQRiKVhtz24mwcnEwumKJYBnJyfN6O8OXeXxT6FQkf6P9H7MXRmo7Dv8gaPyZrjcG7pebbm5SkmDtupJsJMWOCSsbpGGU8hFP4NGMzcgxjMgDLFW4tTr0MjA6Ae2oRHgSuElskKejFukf7NUDwmifq1FEkN90VAvyGS8Ak0BJx027nyPAOP08KFMzpiT4hvupWGhPvNL05pSywyGyFMX5HKeBmW8hqEfk35J6Yjy/aT3qOAJlFJOpsNceNn/fhqPLdJ0wRQvSX5KFg5t0kh+vg'
export REPLICATE_API_TOKEN='r8_38WEkVAfEXLYnjywG80YK1uoLDrU2gW3378DZ'
curl -fsS -H 'JENKINS_API_TOKEN=117cf68463367df81095c450e336d71f22' https://api.example.net/v1/status
curl -fsS -H 'ARTIFACTORY_TOKEN=OcB1eHTfhItnPJXkFJ09UmtZpQTll8MWdAZQD0Ksax8DmsMGZTIwRRVZawIWUcnQ' https://api.example.net/v1/status
export ELASTIC_API_KEY='essu_wbtaVrQyHPZhEQc8ZqptDaCr+tFwcwfEnsgvgSvUI/OHRJNOHr1y0ysUJOLkQSOdxL7MHwgPpYYBzjTG'
curl -fsS -H 'Authorization: ApiKey 87yZaKX4W/rnORY824b8M97bo2XBnI+XZZrPB/5fGQ3e0LqahTldqgkgJLGcv9Gd5MdWpgbkVMw0saEi==' https://api.example.net/v1/status
export ALIBABA_ACCESS_KEY='LTAIDA44VCtlCj6AGGgNao8D'
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTZxYTRtMHRtM2F0MiIsImlhdCI6MTczNDc3NTA2MX0.iwScb0zn2w1dtQ90TC8aA94cmA20ALRY832nsz4DAGo' registry.example.net # jwt
docker login --username deploy --password 'gldt-STVz70nO3XoUYZQGPdZv' registry.example.net # gitlab_token_3
export NVIDIA_API_KEY='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'
curl -fsS -H 'MESSAGEBIRD_API_KEY=0Hww0gmf2ReOlYIBVxVLN49u3' https://api.example.net/v1/status
export PULUMI_TOKEN='pul-163e6bf1b356ab7e360c37a0759ea22c45332b1a'
curl -fsS -H 'MAILJET_SECRET_KEY=1111e1b98326f05c1e9e3953057d4803' https://api.example.net/v1/status
export ACCESS_5='glffct-X8IM7STapCcNvY7-2k0Q'
curl -fsS -H 'DSN=prod;UID=app;PWD=36Z5OBamm3T0y50t' https://api.example.net/v1/status
curl -fsS -H 'SEGMENT_WRITE_KEY=iCvD7QgwjfSSVMOa67Aeo13k7UOrX5dj' https://api.example.net/v1/status
docker login --username deploy --password 'glrt-S279u0hQgomE7Mb7HRUu' registry.example.net # gitlab_token_4
export GITHUB_TOKEN='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'
export OPENAI_API_KEY='sk-svcacct-dHW0UTCF7ACeqqAuDGQXnX6NIOTygg39xnzEzxgDZ_PfdoR5t5oQ6skNVnqte2hjRto8x09nMn5bA1y7L4sq6-NwD7PSaDgnJiSboiMG1w8mAsA-ByQlcK1vQM3e6gOomDhGYjARFxFhl3BwHONQHbJiyUxM'
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=0aOGecWv9RVxe810vAcEizHDm+/Y7ImuwFcEEcXHXER=' https://api.example.net/v1/status
curl -fsS -H 'DD_APP_KEY=fef49aaab4069dc4d771f8c276de8f3d32280201' https://api.example.net/v1/status
export GITLAB_TOKEN_5='glptt-51aa0e7e2b8540b2acbf81f41af7d58d16cdd67c'
export MAILGUN_API_KEY='key-57f7fc0bf54d970200fecc4fb2e9293b'
export CREDENTIAL_3='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'
export SLACK_TOKEN_2='xoxs-2287269235-5950451134-9326525019-0788f1f55a6b1cc36543d9af5910d4cb'
curl -fsS -H 'arn:aws:iam::325776776142' https://api.example.net/v1/status
export PINECONE_API_KEY='pcsk_nCQasm_gFDppkWTQ6eNeHI7AQ2pxtOvEmbjk1G4CKIjOQzPwIhx9nSAUFYhX9s1EBTIzPU3'
docker login --username deploy --password 'xoxe.xoxp-1-FR9zsduMoaUpeLDv5FmVW4bk9nAkDIF3exIe1zhm9YsP2tt42ohhrD3qwy7cTSXSx4mrcuEVqceaVEW535EOR3PIu7cFnkXSEvZFqLAYvmSkFVNJqbv5hrxF3yljxtCyQAEVdFQHuPDA0WnA7YHaQ5APFx9elxr8' registry.example.net # slack_token_3
curl -fsS -H 'RAILWAY_TOKEN=8329e111-0588-41ac-aeaa-7a2e88da6814' https://api.example.net/v1/status
docker login --username deploy --password 'sl.VziAVSnhHJLFnSjfrGAe8NG2-8AoV-BzlKmqaKjDv-Uc1sN4teAq50Siv80hQpPkPEej0RCB-9GslKeQrS8w8p0AyvFreW2hysgypiaud8s8y23b57TeZEGnXa3K7ypzpY7MJNT_WsIQ' registry.example.net # dropbox_token
export TYPEFORM_TOKEN='tfp_Ea50jUD6K0wdMTvKshdX_2dM3t2xEH6X2JNqWwXG9NGWPGtALmBWM-azInU'
docker login --username deploy --password 'glc_6kxIncBpOK5oxOEL1hPzhiMTtF8SG+UOoRBcryxmBDLdsZRD1SUoeTVCMvfR' registry.example.net # grafana_token
docker login --username deploy --password 'AAAAkTqRsS6:APA91bsyx2qgw_U2zKfb8ApcbiNEBSfFY6BkJTfiUm5Z6MWP4F39zZspaNyIFMXYsZiaqfemAHrPSp6j0weTP5VJFePGOLZmgjJdX4FkwktxR9uqN7qZNAE8_PA2wpt4ouzpEMgm7SX3' registry.example.net # auth_4
export PRIVATE_KEY='-----BEGIN RSA PRIVATE KEY-----
Y63Nvc6/zzQ+G6EQSflaZ5jY5xyu4Hfed+K+vZLL9mgA1lzPgGqWHUZf0SScRfEL
zyeNOpok0DLBojOj7xT7dIr+3v6nKpiZFUv8PdqAcm8K/za2wHAVDolcS5MoTd9y
kvnHiuby1FxyF6Lkq1B99vxgfGX3SNkZUhCwuu8Tl1/0hJ0P70Lpym9WyuASj/hU
9CWZlOaRxhcvcFs2ZwLQw3xYGUav4U5+6DIU03zD6Wbk+av8nujduNWFsunUgDT9
xoswHMQnpFelGF7e1pHIBI0zJzvpUVZi/KR/Ez1qrAq2p40bZCm19qM8CUgkmTD0
+GlIl5A/v/nYno7ztUSXq895BWYg32takppAYOxkUN62TYUD/nQ4GZKEqtmwGBwi
EE60SPtMt2oPqy48vUfj763XvJHuTGaiqYEnc2VQ62wGhyYWwh38FloTB1DPQdtm
1dKZ1JF4Cp70Ar8hoFVnAAsCvT+KcUmlL3xJ1RNfNEFTKy1xe2HDgEBbpvwQvg3F
xl6/YAjuaPB6aeTH/zMpicyPKhs54tNKzNyfe2ugtokm77UNH3hWzRa6mZ24s5rx
qgH5U8VGQRp4+elG1GfnBOpNCVmYc7A5XqJNFzVfv6SjbEFdf8rpWupyQI87st7P
tmsT6kMyYGOhaUWXFNia3iGdFpo8e1U7V7dt3Sk3McXHaz2MyDYuq93YKw/okNmJ
kEmPhjmfL+12qvaiuxytfCLVVG3NnF2q8muYwRGt/Ay2ofj0s9g4gDK9etn+zwim
sfZZPKqOMPq+z/TpXol6ZWEpbcktSHD+
-----END RSA PRIVATE KEY-----'
curl -fsS -H 'MISTRAL_API_KEY=20oeRTT4RHiyTNdLwf6LMuwt6rL2D110' https://api.example.net/v1/status
curl -fsS -H 'FRESHDESK_API_KEY=05iD4VwUFVtqnYncXkte' https://api.example.net/v1/status
export AZURE_BATCH_KEY='5Fh7mMbQCuqdhfO+TBkLnLoeSSvAZBRmSaS51ZBL5DYu5wRFY3mJ5XTjgsEL23I1bBQDtKsM4KKD+ABaHNEjMQ=='
docker login --username deploy --password 'gloas-GBwTepoby3Sdy7wKhV-RP4tQrndZleq4ksuzg_T5UnqmVAgJUjQALgQVNoLAak6d' registry.example.net # client_auth_4
export CREDENTIAL_4='hvb.665MQM5oreWKv6fDxhso9yiGa4ehOBpQxLQQdPsmsmdbeYVQOlRjGw5yx1ngJgGypJy1ZL1wrPqNynkDUr6eB5Fn-QquAnpLWdVefaRoCx8hYzmZXFCAakLVY0KS-VJ2HrgqYdNuQCYj'
export GOOGLE_OAUTH_TOKEN='ya29.a0BaCqbHBBoN0YZfsrN_6S4Gld3oGLijrYoDkw04CfCVvEQ-Ief80efF6imtQOPGRm4ijuOPK3WsWosSrLdY-NlMYiL10Q77RJaPEUX98UlA4L08ZYxuJJXD5PoTgqlmGSeZ-44Vw2yhYtQ3LTeER3kz'
curl -fsS -H 'SPARKPOST_API_KEY=7e682ff49ce0bce459cb4199ef0af7668d52d557' https://api.example.net/v1/status
curl -fsS -H 'KRAKEN_PRIVATE_KEY=iF8YJ6qeqkKPIPc4vKMLHPbylePNRlEbtiPVwo/2prF/YOm054+MceWztu3f9QR+PJQfB3K/oVZlvY3fB66U50==' https://api.example.net/v1/status
docker login --username deploy --password 'EAABh9lU3kWus8npx3p2tnnQoWRknqnu9AcOQ8iFUCFN00xOCw4AAeoBM7MDbGIgfmPNRDrz8LZ9O01b1NYMPl6BFDec3cCc6hXPkrq1OPikIl883kBTDgwZQiCd' registry.example.net # auth_5
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=qBQh830FA08qKfnRSji56XSud73YFt' https://api.example.net/v1/status
curl -fsS -H 'DEEPGRAM_API_KEY=f54f9fceb7f37b2a9773121c4268680f5d057d08' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # openai_api_key_2
curl -fsS -H 'ELEVENLABS_API_KEY=sk_f61d58614274301ebe0fd3bd81bc081e493dd80abaf53b31' https://api.example.net/v1/status
export NEW_RELIC_KEY='764978b2e6aed39ef8bcafb1e5bc163ad0e5NRAL'
docker login --username deploy --password 'figd_up2xcXK_uVsW7DAPCEFev7QTMRfunDs1kztNr7kY' registry.example.net # figma_token
export CLICKUP_TOKEN='pk_96992572_HMZ54OJM4MZGVB7L066PD8XW94K9B560'
curl -fsS -H 'VONAGE_API_SECRET=n9WppfEqXyMXTcPP' https://api.example.net/v1/status
curl -fsS -H 'APP_KEY=base64:I0pFDmvB6oQxY2dMMdLCALblT9gr6NvBVukuI70z15A=' https://api.example.net/v1/status
curl -fsS -H 'POSTMARK_SERVER_TOKEN=ebf6ee8c-49c7-413b-a131-7719bf79aa6a' https://api.example.net/v1/status
docker login --username deploy --password 'xai-JZMYbjKgfqLE0jqVJ0ego10tJiZ1V2nmUOS7orfW8IBofKrUYITjBzp3ITmAprV5oOTJbU7Xo4jvG1gq' registry.example.net # xai_api_key
export ACCESS_7='access_token$production$w0lajggf2cy99okr$a475724b8946ca5c02b2f45f88e76b42'
curl -fsS -H 'PLAID_SECRET=bc24f0c5acdbaf47ea0581d49dc760' https://api.example.net/v1/status
curl -fsS -H 'SNYK_TOKEN=57352ee8-bfde-4f59-a878-47854541507c' https://api.example.net/v1/status
export HARNESS_TOKEN='pat.M3aY_EbRFCc5aulHQCE2rz.2XDW9xnadl89SPyTKBCpik8M.M4PD4mznzi1hwKLtj6mz'
export DUFFEL_TOKEN='duffel_live_VvFlyFkXIFyRSZQRkjFkNVDEXMSyjqJIomFgj0Bgv0w'
curl -fsS -H 'TRUENAS_API_KEY=8-6SkJVYkDeQwjBiUXh7OdjjiHtSOXCPHcLNxY7QjBhYrkMuOclKe1P2M0rAsTGC9e' https://api.example.net/v1/status
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_saGDOwoORbikijKA2V4nVFUecPX-YyOGyFO7Ugp1' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPRJ_PEw7kYxCMupD7JIiZ95eZ0_c92a93fac377e2a3b9257c44f7f51981cb3994f5' registry.example.net # circleci_token_2
docker login --username deploy --password 'sk-admin-eiIchbYe3MGF8Z-zkOSXLePoFu5jaTqSpJxqWxLPc6Hlb3ZNeB6a9XIC-2sk_Owykzq7yAZqBeHA15nY6SEKYOZvNjfxlkssdfh5ylNL5h_I0FK2tzzVZKvm0tmJr_BG6P6B38WAe9blt39kF4lDdLePDFfW' registry.example.net # openai_api_key_3
export PYPI_TOKEN='pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImYwNTAzNTcxLTcyMjUtNGIyMi1hOGE3LTUxYWEwN2ZhMGM5OSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiBruQ4Mbn9Et9O7N_ztsoYlbNSUgsR9j604rSYaskQlFQ'
curl -fsS -H 'GITTER_TOKEN=OeGd_9k-S68L9zmcDq-0fqdmbN-k8rNWyINKuvhR' https://api.example.net/v1/status
export AUTH_6='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'
docker login --username deploy --password 'mJp8Q~ThhISRrtY3H6OSOY9IFiWPv0Gjre0NQaIp' registry.example.net # access_8
curl -fsS -H 'MAILGUN_SIGNING_KEY=542aeb05d401f8d73af95dacc3ac38c3-148360c5-21a206be' https://api.example.net/v1/status
docker login --username deploy --password 'dop_v1_ef345004a27485b6602bc0e2e27b3166d4c4e13fc718b32a3875e51ed418409f' registry.example.net # digitalocean_token_3
docker login --username deploy --password 'sbp_042f88701a5946d319f6f78c89d9d9e4e229685a' registry.example.net # supabase_token
docker login --username deploy --password 'bx6TvwKxGo5t5not8GGBp5nn3oIdCAVJzKbIZH0z8kpVlBDBgm//ZYZBHhUd3eQuLatEaUAeaFQX+AStHqsdqA==' registry.example.net # auth_7
docker login --username deploy --password 'glpat-bzo2cnRnCnU6dXh4Z9c8R8rOM5MR9wjp8KODwvIQ.01.1405pwbdm' registry.example.net # gitlab_token_6
curl -fsS -H 'ALGOLIA_ADMIN_KEY=ce52e766f1222594de6fa4b0e80be0e0' https://api.example.net/v1/status
docker login --username deploy --password '$krb5tgs$23$*svc_dt7zsw$CORP.LOCAL$MSSQLSvc/db78.corp.local:1433*$ff9fee5ea40010428b7ddcd38f050182$f452544b0c7ae570d454f91eff78a31c98689f8ab41ac1240aedf47b6b273872ed640ab5bf15cea61dd260e4025cb252b4175b3cdf9a384d388f9d5a0cb43b99f42e36beeffdbd56f7c7e3ebc2cf74c968a68ddd94e7145dd34ac46a02a76788925e9b6e8ef4d6a4c2fb5125f873fdd15a5ec1a0553a6a43' registry.example.net # kerberos_hash
docker login --username deploy --password '0XAp2gHLwv5dk2UFykr74GpBA6mMjc5YFAIoTB55WYv=' registry.example.net # access_9
export ACCESS_10='sgp_ca9215e995807405_3448acfc2460567aaebf8a57afc3306561e7f580'
curl -fsS -H 'VAULT_TOKEN=s.EnHztWh658yFFmLPS7HRj62K' https://api.example.net/v1/status
curl -fsS -H 'WIF_KEY=KNgd5SeCgg85BjZwBKe6wHMbpUdEskqpLhfdQfYMsLnSbTfMZKPe' https://api.example.net/v1/status
curl -fsS -H 'DISCORD_BOT_TOKEN=MGmxcKADCjHMe9IBifAtONo4jm.3uMmS0.eQL2y_SzYjdQ1QshKEtOWterGOUcE1MK8V6YLr' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Splunk 8276c1d0-7129-4eb9-a8ec-58d12cf58579' https://api.example.net/v1/status
docker login --username deploy --password 're_7hdBpMSQ_Qa4F7DknLaze5fQpPUMXsgkW' registry.example.net # resend_api_key
curl -fsS -H 'SUMO_ACCESS_ID=suRh5VR12eq2hh' https://api.example.net/v1/status
export BITBUCKET_TOKEN='ATBBZViEvoYD7mXxS2vufeO5NXochxK2EqBz0FF9F528'
docker login --username deploy --password 'xapp-1-KG1EZRD5R8F-9843744734248-65d0318812e81f06743cc44c3a96fceba4568c3dea7a655abe605047b2450b3a' registry.example.net # slack_token_4
curl -fsS -H 'Authorization: Basic ro5tZsjZHJl3PHO7ekjeNruhZvCfEKNU' https://api.example.net/v1/status
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXFrEat_26-mrgOqBX1QmfkcbGQwaB2IzYcKLM25e2yAF5CrGC6v9BNBlTKiKp' https://api.example.net/v1/status
export PREFECT_API_KEY='pnu_brZ1cdmS6B0zFgGV0jGcZZOnQvI7Kc6HMFpX'
curl -fsS -H 'OSSRH_TOKEN=rdU2Q3LRszvdInNyLghiewGqgl1G2HAUH7GYnwj54TCS' https://api.example.net/v1/status
docker login --username deploy --password 'n4O1YKPQLl/18Q24FIydr+rmKLuoLgOVv+ARmGvcZdv=' registry.example.net # azure_relay_key
curl -fsS -H 'JWT_SECRET=3NqhWz7GuYOeNlP3dJ6dKasNhOgHWnzc' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # langsmith_api_key
export CREDENTIAL_6='EAAAHDo8yJEZLzmdH47-XNcVgHwQTohZC8S6Bv2NJ3iGpo0FtyT5B--bOb1DQTI3'
export NEW_RELIC_KEY_2='NRAK-1DM1DEH2PJ5JCZZ7JTD7SAMWK1O'
docker login --username deploy --password 'sdk-3de425bf-ad55-41aa-a9b2-2afaf91c853e' registry.example.net # upstream_auth_7
curl -fsS -H 'RAILS_MASTER_KEY=b1b9f1e9d0807c0bb8ab09d360669b25' https://api.example.net/v1/status
export GITHUB_TOKEN_2='ghs_bnS8bKkJcoFurpDOHmhO8q36vfFiwr2P2W5o'
docker login --username deploy --password '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' registry.example.net # sentry_token
docker login --username deploy --password 'dp.pt.3rtNuBZPDqsVEu1N2BwAGzaWScXM2mspF8ZqzG1nIfn' registry.example.net # doppler_token
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: f4Cf/kfbWEYVZKUjn54u8M==' https://api.example.net/v1/status
curl -fsS -H 'INFLUXDB_TOKEN=1LxOtMh8KqacqeWVyg-HKyRueew52cDP39fjlHr66XzIFk4uUK_4sQcBlI5kAstp8dwvcHTEkaOEbufDdSNPpm==' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=2uwqSzsf3BsalKPGcTd1XFiPhPAoeaDxr9SQnENqZeCL4zbqGbKwqS5vFkz9ZUXH' https://api.example.net/v1/status
curl -fsS -H 'DEEPSEEK_API_KEY=sk-ea42220c004732d42cd7be9c2438685e' https://api.example.net/v1/status
export AUTH_9='sk-ant-api03-MOWyOQmXViUyiHGGTbHViyxSm9GSfKqRwWzz0fY6bfxZSwmeuv_mNWL1yMSKQ3tqCCkMMJovCgtbyiQni2KGXyB3aI9AyAA'
curl -fsS -H 'WANDB_API_KEY=62964314631c46c6de65fde136b265bef57c19e8' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=2b3019b3ee851b678d393d3d87262276' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Bearer HvOGYMJlk2OzB2tPV8RUty9GBDWTF3ILajaUXJn1' https://api.example.net/v1/status
export CLIENT_AUTH_7='sha256~1I6TPpVqSj0zuFHKyStb0aj4UnPvpC8irh-Rb-WL9WJ'
curl -fsS -H 'LOGZIO_TOKEN=dgegmhkmedgiuqzkPXDRYUNWWRZVMEIS' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # access_11
export NEW_RELIC_KEY_3='NRII-UtcpYs36nZgww0v4SP3q0Kql21dHqq4Q'
export HUGGINGFACE_TOKEN='hf_xJMMWovM9UIf5PS7lOyM203K65rZQs08SN'
curl -fsS -H 'HUAWEICLOUD_SDK_SK=rQatWoxYe6v0PeL0IEtfZO9HQ3lUCaS7DoqQcTBe' https://api.example.net/v1/status
export CLIENT_AUTH_8='fddIHd0Qj216HO9gS0pz7ySXs1gShiCFWN1+x0U3A7lRwvCjF/SpQm5uB7Md+2nrEclECawgT2BRACDbKgHb6A=='
export CREDENTIAL_9='sq0csp-9d0aGkP-6z5yRRdqSkcU7vPb3MTkMJl8UnG5X3JPYk8'
export CREDENTIAL_10='shippo_live_c06ebdb29dbc74296504ec923137914f9f9c4d2c'
curl -fsS -H 'SNOWFLAKE_PASSWORD=jXpCrZYULTI5uHkked9mc4xF' https://api.example.net/v1/status
curl -fsS -H 'MANDRILL_API_KEY=md-8rKoJXR1ncFzriIi8hjcm0' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
docker login --username deploy --password 'SKdacfeae3bd0ba336251b8f62e368249e' registry.example.net # twilio_key
export SLACK_TOKEN_5='xoxb-959575840531-0748460236842-Jvo8i8415MiyK8cZUtIbKA5z'
curl -fsS -H 'STABILITY_API_KEY=sk-hJKCCHzZVf632otxG4bKbZUulqtxq1QlcLSNI4zvltOxBmGq' https://api.example.net/v1/status
docker login --username deploy --password 'y0_AgAAAAhWSrHoqSS2zlYUPxsA8EfJ6ow748lYsXWvCp5-_J2oyD3mIoqw' registry.example.net # yandex_token
docker login --username deploy --password 'Xtg6IOmCZwee+gn7oIShVQTSyBvdraNiPAzCaP7uPZz=' registry.example.net # azure_redis_key
curl -fsS -H 'CLOUDSMITH_API_KEY=1411be08f2a671962adf60e8be546a18f54d9b2b' https://api.example.net/v1/status
docker login --username deploy --password 'AKIDK2viMamG2JwqN4HlU9BpA0nfMPGUHTvK' registry.example.net # access_13
export SENTRY_TOKEN_2='sntrys_eyJhw4eZb0URUMKlaUZtg4S6U8ELfbsJF3gFQ0b4n8anCaUThCY1XKwszZtG7fRrb7pSwGngKH2Z936lGtDZ2l0PD/eK7AU3guFX7M7_bYDdma3KivjVGsnSBNwTkjftfBw4tVAhpxhqdOWcJXq'
docker login --username deploy --password '7a29cb2cfc6517723851020ac5fbe211-us80' registry.example.net # mailchimp_api_key
export CLIENT_AUTH_9='pat-na1-d49bed18-e609-45f6-a768-63e82360daa5'
curl -fsS -H 'AZURE_OPENAI_API_KEY=50ab1e36f1c21bcb992aa431d354568e' https://api.example.net/v1/status
curl -fsS -H 'OCI_AUTH_TOKEN=eZq7xHhzlSQFk4LvyWHe' https://api.example.net/v1/status
