#!/usr/bin/env bash
set -euo pipefail

export PULUMI_TOKEN='pul-35567632618944eab87ab54c2791309f481d89e9'
curl -fsS -H 'SPARKPOST_API_KEY=598980b533ef4066f72f5c1f0fde7bc386ec67fe' https://api.example.net/v1/status
export TYPEFORM_TOKEN='tfp_xfjwihdSDJDQ4FQJ_zA96MGmauKGYewatUhiNkhHz8ert74uxG6USzpMJPx'
export XAI_API_KEY='xai-eMyZsW22PjypQtSai5VRP6xjxD29mW2Dztr4QnK6XLLR8VX5PsfjURBvywHzcjvta0lqG0GM0cvQyI5r'
docker login --username deploy --password 'b38cf01613463e8973a6ab263a105fbd-us26' registry.example.net # mailchimp_api_key
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
export LANGFUSE_KEY='sk-lf-6f098873-c51f-40ac-a627-579f41f4e1ac'
export UPSTREAM_AUTH='y0_AgAAAAgJziBg0QgzX7ZKvzJ3mHIn57w-fD494d0ZhAXqW5dRaXk5vmTc'
export SLACK_TOKEN='xoxs-8866060855-1523347886-7311784037-b647043725c94e27a7909b916810ad2f'
curl -fsS -H 'INFLUXDB_TOKEN=wWrWITQQ-IeVbdc5Xts5HunH7vLUWkUZrIIGgGihMWTIcrWTOfdH0W774ZQYA_fW_t2pfyHWQKgvEkgAjQ9Beu==' https://api.example.net/v1/status
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=ZFid6pHmjVsJTqTxGI6x' https://api.example.net/v1/status
curl -fsS -H 'CODECOV_TOKEN=dbc08603-ee72-49b5-abac-1dbcf6971093' https://api.example.net/v1/status
export GOOGLE_OAUTH_TOKEN='ya29.a0UoVGM9mB52j3tyZq0RWtNKoJ2unSnYeJw6nGFjkyDVY_SsQLSmtQ4NMrt0zHmZ9XqqYBmIkq9fZx2C2nx_sWDrH8AhRXyuwGFzuEhKl3MCEixmVuyIrodfJnco6brUwzYeO0Yg_fEqnVMvnRWCWLfo'
curl -fsS -H 'PLAID_SECRET=22ecd6feb248fb5e5ea89236bdf325' https://api.example.net/v1/status
docker login --username deploy --password 'key-b374fa6b9fdd5e496d611df0e5b6ef89' registry.example.net # mailgun_api_key
export AUTH_3='sntrys_eyJlvj9MJWT6gR3yE4jHCg400xY3NNCXBWIH+MRObw+o7B4Tw5ALroIrFVW+WaJLIyEK0ernkZvDlFAn77MwfR6Rsp8W7iVRrNLGmM5_69Om+9plBkeOM2Dx96/LicW89wT4VYw9N9c2QyyEhh9'
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=MGf7g19O8mbu8fVOWEkU2qHvBCf9Oj' https://api.example.net/v1/status
export OPENROUTER_API_KEY='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'
export POSTMAN_API_KEY='PMAK-a244985074c040723f51061c-7e3234a61b47e388d814934c608be7da4f'
docker login --username deploy --password 'ATBBReP70wJgH396E2nxmgpZYiQhzyEBxkCy649474FD' registry.example.net # bitbucket_token
curl -fsS -H 'Unseal Key 1: luDAp8p3GuyqFp3TXjmRxMkRENdVM6zrZUgmgxbtmYDK' https://api.example.net/v1/status
export OPENAI_API_KEY='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'
export PASSWORD='sshpass -p obCmDidBWPLLa8vb'
curl -fsS -H 'gradle.publish.secret=waAdCyHOITOBp9F4jgjXPUEWZTqSzxez' https://api.example.net/v1/status
curl -fsS -H 'GITHUB_CLIENT_SECRET=61680de84ecea43ea6a6795556c2798fa2c4f7e9' https://api.example.net/v1/status
curl -fsS -H 'APP_KEY=base64:0wz6iJ+QG5I6Amr4kZaKOBEijF+HVXe2Q09YR+wRP1O=' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # upstream_auth_2
export CREDENTIAL='xoxb-101987449246-8762486718425-Q0YoGV5UXeoBlzeF5hbFx9w6'
export VAULT_TOKEN='hvr.jlYjdw4RaFfp73jrYzf6lEQRc8oo1A'
export AZURE_BATCH_KEY='cmgUma4+p/kOe3d6irCz63imBFgQG1mvxu8mMjqudfXAiRAr5smhNN2M2mhR7L//X4nmUhxJJvSy+ABaMKCNDA=='
docker login --username deploy --password 'jbbnpSMGBlBDhPcDIFqA8tkDsQJ4T9QUbAIoTAIVmPP=' registry.example.net # azure_iot_key
curl -fsS -H 'GITTER_TOKEN=sa5N3NoZlvE22AvzewZgeLiS8eqduk9RJfwFhKIh' https://api.example.net/v1/status
export FCM_SERVER_KEY='AAAA1l4IDva:APA91bepBs46F4kj9dYyT3wnZ616fMrP6rGDg6Dk8pQ5GWW_2rBaDLFuQR-hnUvY1x-iLtkzLYq5QUpCnvkRVJwrIgnw1YlkfUVCnLD10wi2z608ESm1hthzvTXj3svcFMpVxHp0MfiI'
docker login --username deploy --password 'xoxp-99936563895-13687323787-6866306612882-aa42f7afdb741078cf2b7957369efc02' registry.example.net # slack_token_2
export AZURE_APIM_KEY='PAI6TyCM923tq4WTMaFxqvQrAemwulUo21GZymBddkhaFEp811sDHsA+B6Ma1NCB5NePr2KeZBANAPIMrV7xuw=='
docker login --username deploy --password 'ZVAQH7R/sI+Nl+EfCOerNiBCjOK6fp3BsAZEGOpdDfa=' registry.example.net # azure_event_grid_key
curl -fsS -H 'STABILITY_API_KEY=sk-5Aw6QIKdbIm0odUaAu2d6vsXfIewyKlgT47lO9hJ2RlD3uBm' https://api.example.net/v1/status
export NEW_RELIC_KEY='NRII-x0lba9slG7903pNFXWB0bGBvW8V9DaEf'
curl -fsS -H 'RAILS_MASTER_KEY=c79c229272aa44bc58aa72d55ed97435' https://api.example.net/v1/status
export GITLAB_TOKEN='glrt-6AbmGmnMQG7W0w9fpY1x'
export FACEBOOK_TOKEN='EAABE3yDudrCGIvINh4dnjk9PO8WxhjXdYWuIZI1uQrLX9M3YD9J4XBVdgzXPxy4ZXh9lJuMvQ4qHwdwZlYOzfWSSPGFWq9iQHXiVD7nc25JDNd7wa74PP3daT7g'
curl -fsS -H 'Authorization: Splunk b30ba186-e71c-4b3a-ae06-e64ea462c47c' https://api.example.net/v1/status
export TWILIO_KEY='SKe839ffbe9704c2e7a8fbc55b1ad55f82'
export CIRCLECI_TOKEN='CCIPAT_EHTiNWj2XAmS1abBss9bHo_a44f9d79304f5f32f4a1a9b483f05c85a55671c0'
curl -fsS -H 'ZENDESK_API_TOKEN=zTNcaKBikzVRCaCT9x6aTUIqn9CFRTIwqqnKSewH' https://api.example.net/v1/status
curl -fsS -H 'AZURE_DEVOPS_PAT=fi3os3hro67k63g2aigao32fp3bynsncqxvfxin26r2xmev5p7ss' https://api.example.net/v1/status
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: ucqgUH1BvIFsW2/XZBOsh2==' https://api.example.net/v1/status
docker login --username deploy --password 'LTAI7MXlKicsVCssryTvDIF1' registry.example.net # auth_5
export LAUNCHDARKLY_KEY='sdk-d9a92d25-c94c-4b7a-a66f-2ad8cab27c30'
curl -fsS -H 'MAILJET_SECRET_KEY=677b8fc98ab386b1eff970aba9a834ae' https://api.example.net/v1/status
curl -fsS -H 'JENKINS_API_TOKEN=11cc5c5b83174b95376407f9afdf7547c6' https://api.example.net/v1/status
docker login --username deploy --password 'duffel_live_4pDmJo4fuToqlOhgcsDfG8T3rgxRQrlOVRmXwGn6ugk' registry.example.net # duffel_token
docker login --username deploy --password 'sk-svcacct-83Trovc2adGHFhcNxX40Wk54t28palaPg2Umm3B2P_pggADAOgdpjELGeYKUWpCfhyP0XxgT3kQ1KmwTbz6NrS7MsOMfeZpqToUew1EesHhFtjQM19g6kli8SCGhB9xcZrt2DhFrFaHyAINgwE-SNYHS_7io' registry.example.net # openai_api_key_2
docker login --username deploy --password 'dckr_oat_1jZ5eaWloZqOyReZ-wgVeB1yhMFzFidD' registry.example.net # auth_6
docker login --username deploy --password 'sgp_0f0c723a77105252_31ba9f9566a99f550384bdf54b73522fc3a4b625' registry.example.net # sourcegraph_token
curl -fsS -H 'POSTMARK_SERVER_TOKEN=f4ad449e-b4b3-4e8a-a4cc-a91cc617d357' https://api.example.net/v1/status
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_FdPa2CGlWcxkym5VJDMetEqIMZreyasgGG_-YfVHwEv' https://api.example.net/v1/status
docker login --username deploy --password 'sbp_e0c6258bee23089f5ca83b9c782884193800f5e8' registry.example.net # supabase_token
export ACCESS='glpat-bzppYzYwCnU6MjgwMziKSYBPheibKGYs_-Kedl1XEA.01.161n84kab'
export ACCESS_2='NRAK-LBM5TRCRIQCPD25SFG2GK61ZDCX'
curl -fsS -H 'SENDBIRD_API_TOKEN=bc3700c8b9d85aa2c5b14a90c796dcf9f864263a' https://api.example.net/v1/status
docker login --username deploy --password 'aio_9HbNSG5ydaPPcSL39vl0on8algHI' registry.example.net # adafruit_io_key
docker login --username deploy --password 'dapi9449e93e407dd4a6645096570a5c1c04' registry.example.net # databricks_token
export GROQ_API_KEY='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'
curl -fsS -H '_gitlab_session=57ffbebe1ecf0279332a2b026a5d4d74' https://api.example.net/v1/status
curl -fsS -H 'OCI_AUTH_TOKEN=W4gXfzZwyCQkKg9qzHry' https://api.example.net/v1/status
docker login --username deploy --password 'live_783683513_ZJencAdve8TpjAWu6aKBGwcxbZQcqp' registry.example.net # twitch_stream_key
docker login --username deploy --password 'gldt-b_03ERQ_-GLIU4EzUz0r' registry.example.net # auth_7
export CLICKUP_TOKEN='pk_20477308_95F3DWC3TFPUQHEAFZH87MAK5STH4D7A'
docker login --username deploy --password 'sha256~CvLUkO2IbPfGPGFzUwLkvnXDbCkQXoEm3stU9qXIoC0' registry.example.net # openshift_token
docker login --username deploy --password 'dp.pt.zohdjhdfRYVcj0yfJUdQzYoQkTrj2SSlKQZPGrScYMr' registry.example.net # doppler_token
curl -fsS -H 'MESSAGEBIRD_API_KEY=3VgnUjLjSQBfAAJjBTWRwPlsw' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Basic 63O4cNjjqhvU5s0EGUL/IhiD6ogSvD25' https://api.example.net/v1/status
docker login --username deploy --password 'AKCpRjvfZbQg8pj7Y1Yrth4KOnx6WIrhb460aeziFokkSi3uJjYQd4FhrVQDzdltOkjWY4rM5' registry.example.net # artifactory_key
curl -fsS -H 'WIF_KEY=KZFJmC6UHoXvEKrYawMEAau6HnEPSDBjYyRyraTv62JLtukphEVm' https://api.example.net/v1/status
docker login --username deploy --password 'glptt-4961a00383b0869c6a25ad4f7169789ca0d11d5f' registry.example.net # access_3
curl -fsS -H 'AZURE_OPENAI_API_KEY=e768aeb60f1d4fcf0d13f018e8628177' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPRJ_OLRSyPzFWIP8P69YQnPYVx_53cc95893f16261d8e9a292085228e2e76a1c03d' registry.example.net # circleci_token_2
export AZURE_COSMOS_KEY='XORJ28AfEQQqYIIzxUT6V4Z0FSdQ1m71k/LAtZTV+gYQqXaAEbYvRtNwT7EN5VHXyj9ejlEbphypACDbOTUg2w=='
curl -fsS -H 'DISCORD_BOT_TOKEN=MvHnReWzcKQnToiCf8xbLpfbZW.uZHuY4.Dd21svveWXIibDq6UCWaywxHQ9uKUI8PI7GtDj' https://api.example.net/v1/status
export HEROKU_API_KEY='HRKU-AAig3wPwgFaDV3HQLzwxvOAFlN7EtlaA31HJlliVvsF5FfK6LwXV9_nvwkt5'
export GITHUB_TOKEN='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'
docker login --username deploy --password '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' registry.example.net # intra42_secret
curl -fsS -H 'DD_APP_KEY=99f4881dcfdb03d0272ffe557621792f3e1afed0' https://api.example.net/v1/status
curl -fsS -H 'arn:aws:iam::005487895083' https://api.example.net/v1/status
export GRAFANA_TOKEN='glc_tzhz2DwmEB49s+QJ3oufSt1iMLNDIOe5SCcI4ttx78kCoKnWLQoe9mVMnz29'
curl -fsS -H 'SCW_SECRET_KEY=e93d3784-dbca-49ad-a91e-8a6acf1c4833' https://api.example.net/v1/status
docker login --username deploy --password 'glffct-NZ4cH5hD6ckWSAeBi2LG' registry.example.net # gitlab_token_2
curl -fsS -H 'FRESHDESK_API_KEY=JDEoDhmimEqO5zcCgcLq' https://api.example.net/v1/status
export CLIENT_AUTH_3='EAAAybYuM2OmBgLgQNBA7csmQAKw8_S-7Lghwufx0LNY4OUEYYG_jwdpKPNzuc7H'
docker login --username deploy --password 'sk-admin-xqwLge830H8dsuWiiKQZdbLzOHjJS_kZdZjXw5ahMXDux02aV_9CuoDBDCgEIcnEOsnQ37J9Li9Z3MZUyAGuOacklJqoxcXkkZHixSbYJQtSMfoaIv0gc1dQadhXmBtvM3wWSLrhx0OzrEySKsMxvZg6Jk8l' registry.example.net # openai_api_key_3
curl -fsS -H 'WANDB_API_KEY=fd087e0f420d2331aa3bab467240c7b9af4dec7d' https://api.example.net/v1/status
curl -fsS -H 'MISTRAL_API_KEY=ZWuIa71xqYtAUB4IbEqTzaWN5JNKcLAc' https://api.example.net/v1/status
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_CmdsckclioFaQmzYMKoAb2APazKf6P0LtnOvBew2' https://api.example.net/v1/status
docker login --username deploy --password 'cmVmdXdEvR7AzzkGpfHuHSWZZzqTEkbnIflbFZcNuC7hg11D1ITAMGmZwNuPqsN1' registry.example.net # artifactory_key_2
docker login --username deploy --password 'fw_nef19GuUOvy2eCZ97svlP2As' registry.example.net # fireworks_api_key
curl -fsS -H 'SNYK_TOKEN=bc8c0490-cbab-4c0b-a4ce-c232ca6bdb8e' https://api.example.net/v1/status
curl -fsS -H 'COINBASE_API_SECRET=v-UT99dSClLZ8TmxqgKqSy1ef-AG_-1CnS2Q9DS87BcbLzgGd4FaUdmuPKAfXBjA' https://api.example.net/v1/status
docker login --username deploy --password 'EZAKRXcrKlmRUGyJXsbNXAWDeylubsbapk0SeRFRBkUqrOBkUrvhIsUtsM' registry.example.net # easypost_key
docker login --username deploy --password 'figd_h19jd-0tZNX09QF9QWeei4NkhOc_nXoC3vQMMlYf' registry.example.net # figma_token
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
8+AI+DjM+gepKtgKva6S8AAOe4hpjZr8um57Y+8FbwhFXFh3mVUbKIPpaPwsCo5g
P0c0tWtaeFILZY1KIQ2TymxMCDrHKnl/A53J4Rzyy5awuzUjIX1CWEEZ8bBv7Ezz
2foeKRJSTV0L3oFI5yQZ50AFd4dDGSihciRzRUehFXx+biWxlqpd8SjpeTiYP7Lf
2LD3LPrHXvhGCrPXtgjlauPi/HVqwh/quaDpHYB5kTV9SRPLXzVT2BlGesT5k8r+
qKQa8ntf+OGl+mMvmMUbHVoALbquN6wya8lU8zY0/amit+344nRQhkXPhm/VngTs
tTo3AQ6Q+CAFccS/vaNVU9Bc8PW8vHvkP+J5nvuZrwnpKCOy/IXwtzdovLvAZp6h
/nw3kYm2WRDwo3LrFcQ0HozP+zEdNQDdgxiIamNnOyEuwAXjwhpaA3DWngkkX+SV
F4H5Zg1p/mEVbH1GS2GPYeLWxVKbnPsGL0Wvui6PEwY6WgGNXJFwfNn/qEP2aK7H
jtNz1zcBHtV25WpJ6b+lanC3bOZIXLws4BpMdaRTwH9MdpQyEKy1NwJHrBb3ksQR
r6bn/fayO1JP/u1HxfsIa0++MYMF5zFyDGRLRvBhp4ak/FrSBLgVBu+2S9bBC869
ggvsd3k3QI6fKX4RZPFfSWLiFquHBfx+HZy96GhV+kxzWyMbVKdYNAnYD22BTiXv
wLsZX00pSBJ+uaqRo8vlSvZ+A6uIxE3QykNznOobdrL9L1Gsu9765cg7lEtD/3jy
xMO2kBQcWjXrQv9Vr4J+zZXp+21WJQ7b
-----END RSA PRIVATE KEY-----' registry.example.net # private_key
curl -fsS -H 'Authorization: ApiKey 4TBwkurwHMWVNTShupRWEb9UP2CW8ft49ILd5l6gkMIq797WebaqJ65sOQfUUvDb+iB9Y1+I76YWArLr==' https://api.example.net/v1/status
docker login --username deploy --password 'age1lksc7m6x4m8dequhqgwv8uegx3nqcsq03feuy70m4an8vl3j9v0s4qka8d' registry.example.net # age_recipient
export HARNESS_TOKEN='pat.HLRvWG88vPQwOP6I1Lbq4x.8wcaC0H67z4catgyQ6qyhMKJ.VLs3BhcUjUVpHTYrLqbZ'
export AZURE_REDIS_KEY='okxkk9Eg7iZvTENgnAqdN1Bq8+dNFFll7AzCaFlSqoh='
curl -fsS -H 'SECRET_KEY_BASE=d80d88503917a1f32cd51459c96903dd144e96bf4bf6f59770a99118baadcb77293d9b7799584a9c9d404545cb1cc283c397104b5de22e4bb7483983bd62298d' https://api.example.net/v1/status
docker login --username deploy --password 'LEhKlfyJqj8J6n6XpE/F+aeeNl2Qv9iaU+ARmE1ddPI=' registry.example.net # azure_relay_key
curl -fsS -H 'Authorization: Bearer aMZ__P7w91n7uZaU_Q2AtkaO9ZQ95NjNrnKkGfyF' https://api.example.net/v1/status
curl -fsS -H 'DSN=prod;UID=app;PWD=YtKL7ukl5x1rkRDg' https://api.example.net/v1/status
docker login --username deploy --password 'xaat-5e96a174-632b-4582-a165-ed55d60b4983' registry.example.net # axiom_token
export SQUARE_TOKEN='sq0csp-VuO0ZRuDx54lpOBPhsO6bmmWvycJlpgmL67uw0X16RU'
export UPSTREAM_AUTH_5='pcsk_ye7HV7_P5eFQh2fkhg5xykX1XLS7KPy2SWLi3tHDn55nk04EMgDCyL1xeI4QlJrdZoGak8n'
curl -fsS -H 'ENCRYPTION_KEY=5e892e8206b3ec212981fd74d132ecfd8fb7f0dff7b0e7115e41a3bfffb4bfa3' https://api.example.net/v1/status
curl -fsS -H 'ARTIFACTORY_TOKEN=RXdQWI0rQ20cEmoVdbp6vPWs7hRowCunih8QOnvlQTRdJwbkdCloKhLPBG89JnAd' https://api.example.net/v1/status
curl -fsS -H 'RAILWAY_TOKEN=3ca0a651-a292-4f0e-a57b-69dd6764760e' https://api.example.net/v1/status
docker login --username deploy --password 'essu_KCJaAfvE8lFInILNTAyum+S3aA81O7rzwJYJ1Nb+4i+KQxVTgIZM2TiG8TGkQyzJ4ogrm26YOvFgZ+tL' registry.example.net # elastic_api_key_2
export BRAINTREE_TOKEN='access_token$production$8gxnwhpfr224rv36$e3155ceed5f69fcbbf0139c311d87f6e'
docker login --username deploy --password 'okhZqyk7lbsppqLFFvRNhOGixDymd4kKSiBF/cBeLZGNaeZIauRk3MskEwGnC4k6vF0meUOt6DPK+AStyQuXtA==' registry.example.net # upstream_auth_7
export AUTH_11='ghu_8ta0IKNPjoDIPuE8DdCsR1fmfQuiwt2ZlbVy'
docker login --username deploy --password 'sk-ant-api03-exIuJ8eivtNhMI0WS1rQIM9SRFSWtH9zyjE0ksyoHGk8R5qkDqPou-iI-Xpa6ULsnYta4uGOmD0-t1AaOuTs0EcGO0kAtAA' registry.example.net # anthropic_api_key
export DROPBOX_TOKEN='sl.QQUfB5UYeHcT-J5o4tXafRBDSYYNqov1X3fDt0RAIjU79Agu6k4eyCsFXvkV83cwdEcUNNbMjSUuyzhl0oY9QctKmV6Aro7IHYB2uIFNJajpfSbImc316LVgIOXR36NFrq9Z6ADr8S9H'
export LANGSMITH_API_KEY='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'
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nTmPBKkaaNy2Bze8Vtn4RanPTxw0jAVH1ZNkDgjN5MOiqzN/5BIR4aJhsRudB3LH5\nmsa0XPkEIVONLvN/5MSS9Smia/5INTza5l/EAyk6lM1Gn48iBb14l3q6b9Xn3FUk\nbTvB+RwB5w5zbJztTRuaMVyR9rFMw035GKE/vHyGO+aI1Pl1r1Mf9VNmkKXpc1eu\nWTgur1VcaQIROgKoFAyNfNPVRwNe/BDtMMQ7ul0ZfEwMdbchf+fpj16/U8LKHOtq\ng1qcUoQlH7e1zd2KT1l76pMyMqB2Nnm65I2LCAkdr9w4BREKowKIvmZBMnXxU2p7\nYb6+ZaBSKbEFvigAuLdbD90ms7Atxu/bBpUSwRfKKRmZVfOx9fdfacXW5ugMeKoD\nm07hWvBxf4myJnlvph9YMbXyHzz46QFCpu1UcNgw/Af/U/16Rx4MnqQBzOUAiR0L\nYkS7ywTnxUl34wZ4PWV7VJmnC+HV8WW0\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
docker login --username deploy --password 'AKIDiih0WQGRWWmAAiVEPaNSLts0AJHcnJFg' registry.example.net # tencent_secret_id
docker login --username deploy --password '6b0a161c6ad5b5f3e1ee670d9f35380d84b8NRAL' registry.example.net # upstream_auth_8
docker login --username deploy --password 'glpat-A_SeQKzU4BJoGXgbEGJ8' registry.example.net # gitlab_token_3
curl -fsS -H 'VAULT_TOKEN=s.k5Kgf1UIGvzQgrKk1umv4m85' https://api.example.net/v1/status
docker login --username deploy --password 'ghs_F6c3yQXZIkT2dksdGYQeu6JVZAbDRi3HjtoX' registry.example.net # credential_4
docker login --username deploy --password 'xsmtpsib-b7d01cc6492a0186562fca6a62b867afcbc20c72f0f8f89cfbacc1e783d36918-Ex9D0u8pytbYh6GZ' registry.example.net # credential_5
export ADOBE_SECRET='p8e-gpUUtrU2ltbc9NG2uwbHSTiUJlvqF9f6'
curl -fsS -H 'CLOUDSMITH_API_KEY=76d0ebbe41903825fa32680af7d9d4bcc4e892b7' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # tavily_api_key
docker login --username deploy --password 'xoxe.xoxp-1-Nj8RAdU2rjFHmakywcdYFHaKi3ZQ3GDP44S4BU2thLWFvijr9XbNNz3u4BJ0hXWuZyUhbUKKtTdrHoUJwfUvbTJlkKNmrSQznVKWvOwPnorHNXopcSqAw0KgIwjStLYQ28bKjWA92oPgz6vYq9ZrmGsteiaSrAEd' registry.example.net # slack_token_3
curl -fsS -H 'SUMO_ACCESS_ID=suCIqG4cXPUk6L' https://api.example.net/v1/status
curl -fsS -H 'SESSION_SECRET=UhQyrciojfUVs9oQg9uS1aBj6s3wHUEX' https://api.example.net/v1/status
export PREFECT_API_KEY='pnu_5jcRXuuWuAvFVjLe9ppefsgomatSWIQImtDJ'
curl -fsS -H 'ETH_PRIVATE_KEY=0xecc397fab6ef05121cef571a92dbaf69bac8c6a588ae6e9b9f6d3de3e3245a25' https://api.example.net/v1/status
export ACCESS_7='glrt-t1_bzpocGF0CnU6NXJ1MmErfdonPD2nGD_Ft4gouzpTEA.01.16148bv6l'
curl -fsS -H 'DEEPSEEK_API_KEY=sk-0e0c3dd8c170dc969b880c3ed036d4eb' https://api.example.net/v1/status
export SLACK_TOKEN_4='xapp-1-DR17GLTKEE6-3805409790013-622bb3a7f4fd59b9bc944d3d8fbf19657cbc23e92d8065dc69e342023c50b4b7'
curl -fsS -H 'BINANCE_API_SECRET=yNPVehFzjrCGdmXQKAkvaQ71Br2K9eatwMgRyN6beOBY1mP8U9A3SruvWN37iPg7' https://api.example.net/v1/status
curl -fsS -H 'MAILGUN_SIGNING_KEY=a385f203d9decd7ad3d4fb92b6d40e14-29fa3c38-77ab7a69' https://api.example.net/v1/status
docker login --username deploy --password 'MDggSlE9WSCnFj.atlasv1.RWgAOEoOCyY8yfNLRpUUDTX_E8RXXBj8vwwPUfkjxWctFKicjlDBRGw8Cv86je8FOuS' registry.example.net # access_8
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=JyokFOWFiiLEQmpNbAjjvXmzSXaTI8xO' https://api.example.net/v1/status
curl -fsS -H 'SNOWFLAKE_PASSWORD=ulFjBJGugiGDHNDjkunRn9vP' https://api.example.net/v1/status
curl -fsS -H 'SOLANA_PRIVATE_KEY=bC9f5ymqkwPb1tB96ZKMhT1hSaekNU1yXGrz5mRtxSLu5ghL4C536XrXQ5kMvB2PnCk4nrCQLfcCx9Sra7nHuTW' https://api.example.net/v1/status
curl -fsS -H 'DEEPGRAM_API_KEY=117f3fca4699d8f01255ddd25d91fbbdea27a939' https://api.example.net/v1/status
docker login --username deploy --password 're_WfB5Tc9o_7Sze1xoKlP4l08V3Dgkh1map' registry.example.net # resend_api_key
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-Co2eipTXxEsVObQi6mvI1wvLarb0SLapoAGGqk2P' https://api.example.net/v1/status
docker login --username deploy --password 'ATTAA90CWr4wfG2nJRqCNcsTAJHWPfxOAVHClk6L6LEeGZ8Uu57ArRIXjeImNvu0WcNV1A89F54F' registry.example.net # trello_token
docker login --username deploy --password '$krb5tgs$23$*svc_cka438$CORP.LOCAL$MSSQLSvc/db21.corp.local:1433*$f066264248b2d99e0e17b0d0e8b2c2ad$6d0b0d09775c888c8f1f4054d52493d6208e2a471bc618c735381bb97abf4ec167bc59e9b5dbcfb7f2fec500a89784dff83208d089649e0df466f8855e5cdb65a50bb413a2dccb17e12066af0de0373cd392f162d1f5bdb7b99577fe983c58d888378d3b7e129559bfaf1d02fa8a999bb3595d1d0b127185' registry.example.net # credential_7
curl -fsS -H 'TRUENAS_API_KEY=3-aqktkW8Z41CvQW9A9MsBqT9GBn7cCMMdlREwxacTeBHAzcFMc7UMOVttwCq7AsdS' https://api.example.net/v1/status
curl -fsS -H 'VONAGE_API_SECRET=sx8pxcODCbbxkoOD' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=FOQLBhNOoeE21ORXBVSAEKQ0AhBJrz1wN6VyvS57jiZZsacp5szSa02qyZhfXjmN' https://api.example.net/v1/status
export SHIPPO_TOKEN='shippo_live_3593e4b15d64f6ce5d2733403b8eb99df286c419'
docker login --username deploy --password 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLXhpNGt1YzNtNHpuZyIsImlhdCI6MTc0NzAwNDQ5M30.Tx9HkyMhrnXEtCNT80ITq7v2uj0TeFYExs3orSs0klo' registry.example.net # jwt
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=1aa459abb75c7456e01894debe407b81' https://api.example.net/v1/status
export AUTH_13='$krb5asrep$23$svc_kneqpo@CORP.LOCAL:f1feede6321bfffda2c4c6257657511c$81faf8c37df99696d262be018a0ee5cbd0bdd62ed7efe201503744d70c10dc945b41c45df3c15c1138d105d7a7681dff6ece70c231bc00cb43ad8b58a7bfa586df44575d04e6156ff4f8db6923a0609fb536e471ce73161b363f6c63fdfc18c7e95b901eb4da6c3ed82f0072fafe44485423b1f01ff4f2ee'
docker login --username deploy --password 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t4I2IF6iR7KKl/L0FPzlIQ1TXcNepV41RKk/V8zXa7LEEv8eiTtcxb4WEHjUHiXp4rKVz56fTrwIiLjEvSwfMbnV/H7WaNJI/HiDSIZjkcOWliJO+OOedUBB0yAUHuC9NTaD4ygkUNioo1E4uAgZviJlbS9KQIHmxknVUhxNXeJID+E1rg4D02XCj4Ood8gOxxPx5Gy4QJFBVNqlwNCGsuklJRH49LRVAWTqh0mXgZzXd0ZJXO4W61Rkqqo2faQ54pbGAplW8qw6yitJwHpVOinGueg/F8wQLhcfRyGao48DGj/qjIB7UYsI7Y4luqRdfzQHWn/oM+xNNao129U4HoHiPyQW0ihQ0H8slLYFn8CK8CjHyvIz2XvEZszwGY+iY+agntlfCKoGY96A5JgAAWGygWuYd28i9wo61zYGayYXTfLOdgaxSYjHVdVmwLRColtmGrLIMuIstBbtog8Lkz7uZ2kCQEuUDRbimzfvgbV7DlrQCgrCQfmZbyyA6KQHa5LfwMc+lJA6es+GyftRt5xMWf44f503Y2rwUOjLDuYwQ/QMeFyCrFTJiJCT+qvgapETnC56ZPhkOcUl436wNekKK' registry.example.net # aws_bedrock_key
curl -fsS -H 'HUAWEICLOUD_SDK_SK=k9XywduJrAJC2P03EnH2R3ZqtKfZMNJpA902mLSc' https://api.example.net/v1/status
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXnL5KKPl-qkgX_ts6xd65oYWeE6VAHivJJ7_pY2RNgYWoXH0Dr5OjKA3l0UVi' https://api.example.net/v1/status
export DIGITALOCEAN_TOKEN='dor_v1_69e1df9e22f541957cf9a1da45602cb6918fc7fd3527320cbb5bfc447798b801'
curl -fsS -H 'ALGOLIA_ADMIN_KEY=e0ea48aa33e4f46143539f368ada8aad' https://api.example.net/v1/status
curl -fsS -H 'MANDRILL_API_KEY=md-fWpPBAPzRCjBY6vIyIlq2Y' https://api.example.net/v1/status
curl -fsS -H 'ASANA_TOKEN=2/2081205061034833/6020974443499140:2047013a1074dfbf332bc4a80d6c0101' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-admin01-1e6AXdR1HBShXjpCivcaSVdS6yrqQh_jciAvbUSz4t07HFBF_q8RF8QeCahQqRprzjd0kkRXBvYm5zt1xCrOt0B2kv2cfAA' registry.example.net # anthropic_api_key_2
docker login --username deploy --password 'QQB8Q~yHqd27jO2i2IyMdHpwROrs1XjF0ZX1W7nq' registry.example.net # azure_client_secret
export CRYPTO_PRIVATE_KEY_2='xprv9s21ZrQH143K9Z1i9FTP7MviCmZrXvtmBwWK8kKyxRDw4QGmDJpi3FeFuveUnp1VE79BmuQdJMeGyHyAUBvLpvjt3qZbKGaQZM8ike9GCjh'
export HUBSPOT_TOKEN='pat-na1-6d5a05c9-eb79-4c0b-a06e-65c347fac143'
curl -fsS -H 'ASSEMBLYAI_API_KEY=28033e3fdea38ef59a6c59467d1bf379' https://api.example.net/v1/status
export GITLAB_TOKEN_4='gloas-m2l2Lv5k4g3JgCmB-eSGcdRKD7ILFMdp_zhkxh2l42cH0PuRDj4a63IbwArxdXoF'
curl -fsS -H 'SEGMENT_WRITE_KEY=nj6MsZan4oTLEFr6BpMd6whytojT698G' https://api.example.net/v1/status
curl -fsS -H 'GITEA_TOKEN=17306e2cd83b9e5273731e089146470da5992e09' https://api.example.net/v1/status
curl -fsS -H 'JWT_SECRET=U5dNT7Qt1NnVTpIn3jU9XE0sHAUvENUA' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=6e61704704dc1afa78baca4d61afd752' https://api.example.net/v1/status
curl -fsS -H 'LOGZIO_TOKEN=bsdfytebfgznmhgtKJKLFGZVPRNASIWG' https://api.example.net/v1/status
export REPLICATE_API_TOKEN='r8_2n3KJIM51QvaLN9lgdLFFjQ1JZYucEBH5jkoe'
curl -fsS -H 'TWILIO_AUTH_TOKEN=cecf10f17d4bec3d27318e095710f160' https://api.example.net/v1/status
docker login --username deploy --password 'amzn.mws.47233ef2-3069-4352-a364-e0a925f1eb7d' registry.example.net # credential_10
curl -fsS -H 'KRAKEN_PRIVATE_KEY=KtPwYxD9E4f2wch5+SQFIIw79Zlmbg1uJyf8eBYD7zxaLECVx5AxlBFCctT4GJeFycTM+eL+fi+HVzIqGMbv/4==' https://api.example.net/v1/status
export SENTRY_TOKEN='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'
curl -fsS -H 'IBM_CLOUD_API_KEY=cywg4dP1-yhOSp8zf9RSrVXfaQiI_H7sxQaBlA39ASDA' https://api.example.net/v1/status
curl -fsS -H 'OSSRH_TOKEN=1AyNXqH4VwMTtsyPpJjQusuKEfAXyNRaIM7alI8hfiax' https://api.example.net/v1/status
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTidoU8OXR67fdf1m/VLcFBTVN8GC6Ks1Sh5ZebkwfDAFFV6tpGsb0wVJa9iHpbRPOQeaqegVVsvE0aji3qRswwz+vQ1ccfgRdbP5XO91D9Ghdmv9527pxaTS592hqz65yiX4sUnt+UYWv/VBfuvQ0TdmDm+GymWiDHGqaAc2HCpCswz9kWSNdQk6hQfgclQiW2Zozp0LN3At1ITASqrVlF13dUtQEcpqFq7TQDzLW7dJVLmWQt7UxV66Yt/+TLcjkV/OLdFZD2ekKUpxaH0tEbauW1xsriTmVOh7i6rtbUtaDYKLOHCY3TcafdIOo4W/5I3Z4zsERWFXSTmVW17WGsvDP5oztXz4awqTSd1khzvoCGM4p5/BpiyVnbYCemttD2W8pWKyxQDYgvcGFd' https://api.example.net/v1/status
export HUGGINGFACE_TOKEN='hf_raJ2iQZ19v7UkSI0PReJjy94Qw0q8RD9no'
docker login --username deploy --password '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' registry.example.net # sendgrid_api_key
docker login --username deploy --password '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' registry.example.net # github_token_2
export DIGITALOCEAN_TOKEN_2='doo_v1_01fec938b727c6344478cfaf9844e1d1371496a95d7b31b40d6c990d7310c220'
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjY1Mjc1ZWNiLWU5YzktNGUxNi1hZjJkLWEyZmQzNTc5NzhmNiJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiAD1DClJsOg4jHU1TPuOcWqV0XrGpF67cgZ3uiJ916BUA' registry.example.net # pypi_token
docker login --username deploy --password 'dop_v1_c22a2fed7b78d885b9fa65632ded99d54abe11f53f129bbefa4e5cffad9e6394' registry.example.net # digitalocean_token_3
curl -fsS -H 'ETSY_API_KEY=9y59xcal6wnyi4g1lhpw2k9d' https://api.example.net/v1/status
export UPSTREAM_AUTH_12='access-production-fc8af15e-7ca0-4591-a608-b16acf1ad2c9'
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=2wK2MXx6J87ogbLkVfZy52aORnxt0m3hpuuqMYTS8Jw=' https://api.example.net/v1/status
curl -fsS -H 'ELEVENLABS_API_KEY=sk_786a731897a8f9ba6956964237395ac34e338db97613a2d1' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # nvidia_api_key
docker login --username deploy --password 'Rb686U9Q2w4X2cF7vzYamFWJbZaJ7rTfdIuvBzb4uD5hMEWVuQnWJQQJ990A6glMPyIO7ifc0t2IOefe53Dx' registry.example.net # azure_key
docker login --username deploy --password 'hvb.OY-zGShW0Sm2TNfgjzC5TpAfeo3riu8I8hW5NlzBIEukoEcUyC51d-jbyjkVBKJG7As_qLcNcjaDMOXzShfjX_80-3OK9zN5re1YLoBQ26YRqeZw9mU-Zuua8ycftFnElsu6AVSr9H37' registry.example.net # vault_token_2
export YANDEX_API_KEY='AQVNevEVtVLPDg-fb9FA7lcUaFyvKu_nLr0jZOmF'
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=oDFXU1HcJO6up2XB6xCg' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=vik71mff64848fcfyvp3p03y2dangh' https://api.example.net/v1/status
