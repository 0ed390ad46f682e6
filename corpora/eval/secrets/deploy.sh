#!/usr/bin/env bash
set -euo pipefail

curl -fsS -H 'ASANA_TOKEN=2/2931469900206927/1430620366467581:a16d5cf0237fbc2356deba7117056e96' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # tavily_api_key
curl -fsS -H 'SPARKPOST_API_KEY=34978014bc897c53cb6081076f7fd881756d6ccd' https://api.example.net/v1/status
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=1rLGX0Gq4NaBZlawd9lU' https://api.example.net/v1/status
docker login --username deploy --password 'gloas-ngZfvfukoAsXwicBvQShqu7WIzo47QMnQHAjHdIRGsrm9XNvk9TZnZLOrP-3hrsT' registry.example.net # gitlab_token
curl -fsS -H 'LOGZIO_TOKEN=ncbnxxfqgbtgcdqjSQXDARUBZPFMRHXL' https://api.example.net/v1/status
export TWILIO_KEY='SKbf8af774874e8bfe38f90ce6eb62370f'
curl -fsS -H 'JWT_SECRET=tFBlDAfCOZeZ9BX20MIAqrbXwJnzY1Uz' https://api.example.net/v1/status
docker login --username deploy --password 'glptt-5be0e9b1e8ae7d6abdc039b804ebcf84e70499a0' registry.example.net # gitlab_token_2
curl -fsS -H 'MESSAGEBIRD_API_KEY=pmPIVX81uADH5Juj8AatC2rgj' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=45db86b098caac41c8c727aa0b0a84f2' https://api.example.net/v1/status
export AUTH='ghs_FjVFxMS6Hy7HDpd9KHlfjp6woZBom43GuPFe'
docker login --username deploy --password 'ghu_vooZXEFf1BZYDckOJwW1Fsz4MirYVr3U6LcN' registry.example.net # github_token
docker login --username deploy --password 'xoxs-7809867409-8055899189-1178553292-d180fe49e5e07ca457efeb1c80a6090d' registry.example.net # access_2
export CLIENT_AUTH='sshpass -p RZMUUBkr5uiPrKOX'
curl -fsS -H 'DD_APP_KEY=dc13e25b7b0349f140a576e5c4803fce4745065b' https://api.example.net/v1/status
curl -fsS -H 'MANDRILL_API_KEY=md-RzCvuz4UVWqYxMqPmsCsyj' https://api.example.net/v1/status
export AUTH_2='sq0csp-04i4z4-gVQcVDl5J_BwcsB9JyTYNFPyoetFsLajvZJ2'
curl -fsS -H 'CODECOV_TOKEN=f096898d-39f9-4e45-a26e-5b11c3b0950a' https://api.example.net/v1/status
curl -fsS -H 'aws_account_id=744051125526' https://api.example.net/v1/status
docker login --username deploy --password 'key-5d2fffbc72f4865597bddb7e4fa00539' registry.example.net # mailgun_api_key
docker login --username deploy --password 'dp.pt.A4esQCp5cXTynplSA8Tw8UWTJeMd0a61eWjcb3vYyAN' registry.example.net # auth_3
export OPENROUTER_API_KEY='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'
export CREDENTIAL='duffel_live_Z-Er937_AAfuV0aN_CB5XIrXqdHQWJqB94fLfzPoRNt'
export TRELLO_TOKEN='ATTAuIWM1LgPYUfHoKUghONb7hBJ6JafTgOCqRKMUD0hceuUl2DzmUEyLzOaWTWfSqwB0FD2D67E'
curl -fsS -H 'Authorization: Splunk 666a278a-a3e8-493c-a15c-6579afb5ee8d' https://api.example.net/v1/status
curl -fsS -H 'MAILGUN_SIGNING_KEY=fd57ac49d6c73e895877ddb22d373e80-51bb80b2-921564b5' https://api.example.net/v1/status
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=8/CCBrYxpntUyAKL5I0vmELKj8XCxxj5hH/FwAbEwkb=' https://api.example.net/v1/status
export YANDEX_TOKEN='y0_AgAAAAkHVYIM2v5zuGL-Pkg3vmSfetNBY2JYIVMgH9Dm3fUbhugFv78V'
curl -fsS -H 'ETSY_API_KEY=cdgudazhqfq9hkz27y43j1i6' https://api.example.net/v1/status
export BITBUCKET_TOKEN='ATBB0c7wntchDy2EzNW7zKRjvn8nFTxLo8D7C338281B'
docker login --username deploy --password 'pat-na1-8f8302e3-c426-441a-a3b2-f7f0b579e979' registry.example.net # client_auth_2
export ACCESS_5='re_JPCtjvQA_RUHDXhISwtaNW7s54FpRXIfv'
docker login --username deploy --password 'sl.Zp-XvLyMi59xcCuSodPCeVfkxTdTikElGjDAcTTe2-klihcUkitycQsiJXdGH-bOgCZ8jE0a04kMrsYuDtUxoJ6bLdxh_bNUjJrOn09uqC9AUTV49znXD3_V-9SXNGHiDGlIcZZ92Sb3' registry.example.net # dropbox_token
curl -fsS -H 'VAULT_TOKEN=s.Gu131K12iY864WGe9G3LqMxO' https://api.example.net/v1/status
curl -fsS -H 'GITEA_TOKEN=4ad28f05cbb7db11131f3b5fa2a48c7a64c30325' https://api.example.net/v1/status
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_8GioWn3PM1FkSmQ3yr_HxPE51XHXXUaW-ZfTnPGMTa3' https://api.example.net/v1/status
curl -fsS -H 'TRUENAS_API_KEY=2-5QVhHBiafps5jlm82zPPVaGzxhGDtBYP8EcpLJnIrDiqJ2Rj5tDGSOSpIKpSJth1' https://api.example.net/v1/status
docker login --username deploy --password 'pnu_iGzGBRZi7A5Vkqln1N135z0qRzdMxeVAOz7k' registry.example.net # upstream_auth
curl -fsS -H 'OSSRH_TOKEN=4Jed7eJ4hkYknOqn6R7yTvBzUCvMZDpyh9QnwrSQTHaB' https://api.example.net/v1/status
curl -fsS -H 'DEEPGRAM_API_KEY=b985a69f913fc1e655e43ddca290da5c2490aad0' https://api.example.net/v1/status
curl -fsS -H 'VONAGE_API_SECRET=ooZtLaJwbiRQ5jrB' https://api.example.net/v1/status
export PLAID_TOKEN='access-production-1e6b0884-a6da-48f9-af2e-ec0119b6bad3'
docker login --username deploy --password 'fw_3MBEhfibFBSMx5Z0WDyEktKY' registry.example.net # fireworks_api_key
export SENTRY_TOKEN='sntrys_eyJkHe307nOnbteMjvpTIToORb3Xw+ab6tUnlZOIUoK1tevGBR4UKVw3ejCmEzU0t4H0X9E+kuGHKEdBx5/Ru+z7oEzY1oxaZWVxye9_ZCtXIXIq9ko6JltFGQzQL0sqCRvQKmC9zCXmzeSTftr'
docker login --username deploy --password 'PMAK-fc6d66d51962bc9c1536bc87-1b596db2587f30decb402e9461daa71635' registry.example.net # postman_api_key
export TENCENT_SECRET_ID='AKID0BW5kKZjkWCdu3PHDTZULu31MB1v6bQq'
curl -fsS -H 'APP_KEY=base64:ewQt7wYfQirwSizjiB5z5YsCO0GA9L/Zo4JpHY3jiHm=' https://api.example.net/v1/status
docker login --username deploy --password 'HRKU-AAY5899xH4rJGClSfsTDoYsWwRZnbitix05LJE47ZpqkTDAc2cq3rUeL8u63' registry.example.net # heroku_api_key
curl -fsS -H 'MISTRAL_API_KEY=Hbc9goBL75uMcnhiZBLjjFpev6ZjEZAH' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-admin01-29qTSfzhC2YKEtjdjwovAArTfQtHdczwHrQFgyw5kQMHywkxh5S7pyaDWgIymlChUk48KNt7V6e9F0iSVa7O-znUwuGLxAA' registry.example.net # upstream_auth_2
curl -fsS -H 'WIF_KEY=Ka529k6vYtLUKh7JJHNtpp5uzUijHJcZbfnecauebc3EjZHDn8Ns' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=biv0e35jbg1hwkdvxdq5296ogdpe77' https://api.example.net/v1/status
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXQ5AMem-uQWcSoZeNm7TvRu19qtwhry9tTlRJmvurWscAPd0DhG5HqGwo107Y' https://api.example.net/v1/status
docker login --username deploy --password 'hvb.7cE6pmx3Y0f_qI-9-dstcElLWTwTUr3IIVfKFbhGo_8pNdI1T--d4KHuRnfSF7k-ER0yrtpMtGIfJyKz4BoLsl6pTUxqkA_rjuNfNkgUp1IWo61jADhgEUa8Vf0cXZSOj54ggl71S525' registry.example.net # credential_3
docker login --username deploy --password 'pat.OSxGsN1b7ZlT9f3z78DxDT.PMJardSB1AgjTlXUsE5oU22Y.pzDyhARKjwDmaZLqWIkz' registry.example.net # credential_4
curl -fsS -H 'ENCRYPTION_KEY=91ed5c8b30098111a2501d7153e4c305d35ffeccf6b599fea605dc85184135f5' https://api.example.net/v1/status
export AZURE_APIM_KEY='KrML4FlmYC/0DYdCZQuh6Mafcyo2/RurxoMgQhBdPZP1Ubdz6tvO+PQ69sQgiQdj+Baai/RmQERXAPIMoPCegQ=='
curl -fsS -H 'gradle.publish.secret=JyqK3GP923wJM9sGBXzTD44HhdsAp31D' https://api.example.net/v1/status
docker login --username deploy --password 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tPjvacBjoNEVGjBhhaF00Bsrwxd/ObY2obhJ23JcO7gYsrQvp+70lzUrDyte8rIvUP40eWOEXyJXix6LR0A3UE8pj10JVjFjZL/eNdlug/ao64QBNU3DgiDA/50I5csJBOErA8FE6ns/CWMQNHzwgq+meSp2MJVWAl5O0hArmA52SaiK0r9po7Rth36mmiaU+oznlXtkf4AEy1W2pRio2UJrDMjFWOL8/IiLJcq1SggyLgDC7ZFVErxknAfONrSN4U8Fy3SgFf5nVxIrPvsUANWdqCgnqXzKiMXSzMRRrb4pswlzbTceAAYSkoBK9gYzc2GLoXSIynT4FMnK5OlmQ86yzI6BnoyhyAkobvqlK3NK824tsZj5c+Ot5kiY1VoNFsjgSmKXKAi/IjKOW6DNEVjZXTXv/Np0ckFzbfrOO1VXtslDFH7AmtBg9ROjz9auaWM4n/2TLpQAp4MwPJv3ewRAKbxptAlUE5NlVg5328eWjbBJh46/q8CHXDRX9NceWPhjU1bD59XkfHSYdIyg8gcEEvSal62QT4zRf+R5OamP5zFwwggNOnK+nKvcE5X1EeDJnV5pPs2a1yxzxALBV2EYo' registry.example.net # credential_5
curl -fsS -H 'SEGMENT_WRITE_KEY=HIQIDPusCx6JPK5PIBu8nTWDqvq826bD' https://api.example.net/v1/status
export ACCESS_7='hf_AqepbOr9hgeByCbiuEum18375tVr45pYoG'
curl -fsS -H 'FRESHDESK_API_KEY=KyfJpxYocByGBUOxlFc3' https://api.example.net/v1/status
docker login --username deploy --password 'access_token$production$3h6w69d60czp1ovm$589cfddb280ce516d93a9674501245f2' registry.example.net # braintree_token
export AGE_RECIPIENT='age1tjwswdeau22x9ggg0wam4zv6hxwyr2njptsss5a8msw6q5yrq9kse3jlg4'
curl -fsS -H 'DSN=prod;UID=app;PWD=zd4FxugcXlUs6pM9' https://api.example.net/v1/status
curl -fsS -H 'KRAKEN_PRIVATE_KEY=7GDqCNlF7Ie5Q3HxOoPMOxG4BhoBeEOHvBmGp6j6eWkGVUQYD1xERRt4UT+4vP4XxHOipzl7F6vmVvbi5hlj3K==' https://api.example.net/v1/status
curl -fsS -H 'MAILJET_SECRET_KEY=67b7e9faa6eef00a9b40970f666a948f' https://api.example.net/v1/status
curl -fsS -H 'SESSION_SECRET=ZylhfAYbeZQo0tjO1y4WXRmZMlZcpYas' https://api.example.net/v1/status
docker login --username deploy --password '$krb5tgs$23$*svc_vlzhnv$CORP.LOCAL$MSSQLSvc/db87.corp.local:1433*$d2a98c9293f4a5720304db53285ecdac$15777f000b5c1271872b1899f5466b3b87f88d3d32184f540c7bf5fb3533e08406d8aecefdb58e22d8b558c96008fe4b033cf65f56c8cafc44c8c9358a50401fbfd507e6f647a4e23db76aa68a357ffdcb1f037c54cafdddf8fccb00d9dc9f534df1574dbeb7cd972eded0ffc864968371f1d63611dcd8dd' registry.example.net # kerberos_hash
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_TA8wEH6muGzX3rMvWALe7jNMJipYs_1k2mwqfgbl' https://api.example.net/v1/status
curl -fsS -H 'Unseal Key 1: rmaBZT3tjcdfl6WU2hcngHXr4rX2uhE/xgN0OmIesh4T' https://api.example.net/v1/status
curl -fsS -H 'JENKINS_API_TOKEN=11df8f4752ea912f02d9bfb4b0fb22becd' https://api.example.net/v1/status
export UPSTREAM_AUTH_3='hvr.LhB2ynjc86LCMaEji5NeB-y8AhmYpz'
docker login --username deploy --password 'fa0f7ffee5a829a08c00412964e62fb0b999NRAL' registry.example.net # new_relic_key
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\neD4tAVIvlWlQNEAfz5WAQtV29x/kx56xr42SmxaP4VbmWUikK6OgL5zaJ2xx5BM4\ndPaCGy5M20ZNjuWhv4rp1SJnzWtZWz76XRMyzE2g+dmHGGuafT65xmHevFW/WrwV\nLw+9pBjk05uvM1LZiFOJJYbpMmVRIoFEtORElTgVT+GfzQvSC6cN7J2W2B7528HY\nqpEDRa4Au2XrThJIdTgawvwbut+LrrBvepppKuQxD9RQsp9czkqr55YPonygbS2W\nEP3ub2zWpVxh/jNwboXRSK4ZH9UntT5sCtAdAnD4jFQsNVRZYdVIODBdaooL7a05\nBHjWdqJft6tssHo05hhvXt5gpku+Pl5Qx7BT612Pvy+UJmxAnpiFoeZVPSaZWUvB\nwfwSThAMOF8G/7FKlFl5KjiK3rHrqWeoQvM5RetWCsN03JoTc4pbxnrDcn/hNsZ7\nYMq4SMo6RDsxdZlCk4caTBpdgWKxfDrg\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=prVFHpyP8WIi3CPCQo1kSZngWTEOGcpklG3giObnLVjo4wC583ecMNZd6aVhSj3U' https://api.example.net/v1/status
export AUTH_4='$krb5asrep$23$svc_6duum4@CORP.LOCAL:b458b198ff431c2b7381ba6f9681a191$553ba1f288216a5cd8078cb0cd3df9c79373131fce591b9016a3040056fe2cafc075e57481f8b16895d5ffe13a5449a9124a6c1f19ff4dd45cae3dbc9aa4a9cdcdb2bdb7f78b554a5da72f364a1a7313f9e3298e18eca33925b5fd69eb6ed3ea198dc67836aa7b6df56def59032623d9b1995bb8b3fb83fe'
export ACCESS_10='sdk-a148ab89-da47-4717-a43c-de93bf2f27a6'
docker login --username deploy --password 'dapi04f27a581fb1fed6683a79f592beb919' registry.example.net # databricks_token
export SQUARE_TOKEN='EAAAGetItXb2Vm1McU6X1bifU9ujbhquyKck8mO2GG_aRcylDqsq1FHgWQqWYCZd'
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-rJx5zeUWsQ819eGn3w0bttgzBNeui5VBmxM6txzD' https://api.example.net/v1/status
export AZURE_REDIS_KEY='aJqF+sCz0X7fnFTPptcX7tRuZ9D9akNA7AzCaOdCk4I='
curl -fsS -H 'COINBASE_API_SECRET=GAwVmVNWMF12FhnYAzunSEK8XKuugIkT6nH8igE-e2hvdO2EBO2rCaNYfuV9XVQW' https://api.example.net/v1/status
docker login --username deploy --password 'figd_5kcZanE_swthHuu1W249CSO1Z2QqHrVJbx5dT50M' registry.example.net # figma_token
docker login --username deploy --password 'vt5xgQMSXlBgcPT/3OjJLBcfIynh492nJxAqG/EZ77Ay8w9D/gKcshUupJUryqsRE4EF1H+SN46L+ASt9iQyOw==' registry.example.net # client_auth_4
export ACCESS_11='glpat-QVmRBoIlCvByMDPXGU9R'
curl -fsS -H 'GITTER_TOKEN=KSKy9rsKgMivIv7ubHgW9v5qr0VRbQdLn45IOq3c' https://api.example.net/v1/status
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogImExNWM0MDUzLTRiMGMtNDc0OC1hMDI0LTE0MjYwZTgzMDBkZiJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiBbSzVsPwboKr9oiuqDvejtKAIWaWrFDb60RkGU58Y9pQ' registry.example.net # auth_6
export CLIENT_AUTH_5='CCIPRJ_4GUOBOn1OxaoNmBtHZZxSf_0decfafd9b99b7b29e34c98812fb31609bde7c52'
docker login --username deploy --password 'xoxp-32424272114-04387471324-3927438585998-8cac12fb1db046f8ff8ff6f0db455887' registry.example.net # slack_token
docker login --username deploy --password 'xsmtpsib-74c4f042841758d81c1eb1372b6d9995cd22936dce5dd0170804b8b46a0600c5-5up2AaVHgo21aLWk' registry.example.net # brevo_key
curl -fsS -H 'DEEPSEEK_API_KEY=sk-ce4035637170e0a1cbe895ad3645e01c' https://api.example.net/v1/status
docker login --username deploy --password 'NRII-jtFa1lfFjGpCl6nKfkD8s2mz9PvC37W9' registry.example.net # new_relic_key_2
export ARTIFACTORY_KEY='cmVmdJ9jtGtEodR7SJuBaLLIyqH7hDzzwGYDYA41rQAMlQfczGaPaYuthPYgTCw1'
curl -fsS -H 'SECRET_KEY_BASE=4e07363f46171f0a392cc53d837cc86683339d2c41a82ae15c0af41b89944f8db0b8db6ef8500e5403be11e2d346f200c83178cdf7aab4e185915e11c552006e' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # github_token_2
docker login --username deploy --password 'CCIPAT_sVCnctkuN5Zf9tVoHbR8iD_dcde1f08246d290ca61183f8ad458c574205badb' registry.example.net # circleci_token
docker login --username deploy --password 'xWCqxpOO7fZScx.atlasv1.xOMdgBEOr6TivvqdyIuXp5Mgsfc7Zwq4GaqR_94FMjSRjrLDn54gIvV_iCFPe7SME7Q' registry.example.net # credential_7
docker login --username deploy --password 'sk-admin-sHujzSc2WhvHOpeSbKBNW2WxJL_zJ01NXCi4yrP0IQnPFMSYjt7m-Lo6aSejZRa3qN3ZDTriOpuZz5YD08Ysf5_DtKcKhACVf75Y45ACOuQmNMjw_u6pxZYJiq8dq59HrPthg0hiZFIpWkiFMGvVc9s9ksBE' registry.example.net # auth_7
curl -fsS -H 'PLAID_SECRET=eda0f74cfdf40cf8b9a45c2ef8d542' https://api.example.net/v1/status
docker login --username deploy --password 'xapp-1-Z3N8QM3LZXF-6784300133412-a7de632d257bf131fd7bf388cd333bce936fa210e38362f01ff9ce4a132f8666' registry.example.net # credential_8
curl -fsS -H 'ETH_PRIVATE_KEY=0x8cfcd594598c80de3d8ed5eecf949261a99be3d434b08b29a508a6960b8ff09d' https://api.example.net/v1/status
export CLICKUP_TOKEN='pk_42316094_6HFQF6HKN5RTIC7B9SOOQON0E6LB9DXV'
curl -fsS -H 'ZENDESK_API_TOKEN=L6Z9TYENgcMUMJ9jtQR8uVMXcLhRukJW2WXnT98u' https://api.example.net/v1/status
export SLACK_TOKEN_2='xoxe.xoxp-1-DNpfBLOXLsE0mpHo70xXXm6CxDZrEy98UnVbAjWcbp4zsGf9Xdv4YZDS7cPRVPAuL6aqFMfy6WfAtQ2m5HYu0U7wccWXyvnukFwbM6TmpBRgyGkFyAyMYq0Bad0A9939YcJlVzjN2gCDSAnOZ0RXql7GcCMtqhsQ'
export UPSTREAM_AUTH_4='LTAI7ivlOrhmkbY0QUWgxcfH'
docker login --username deploy --password 'sbp_67a46dd7e5b50efb7f04d9a08473134a5eb516d7' registry.example.net # supabase_token
docker login --username deploy --password 'AQVNLm134KQ5s7TAmRizcJyg71YQ615paYd5nEvD' registry.example.net # yandex_api_key
docker login --username deploy --password 'dop_v1_f7731b122c5e1c3ebd23455cd58e825de0a6eccaf862fed6b892064acdcef663' registry.example.net # client_auth_6
export FCM_SERVER_KEY='AAAAmhC1pDo:APA91bhe-xnxfem_X38rgOUgxkBuJO_rjIybwmoe9q_VN2GYR88hl3NzoYurlWiTFFTsaX6_umGC1YaDfgwYYCMdL-8ZehLpnUYn_frYRjmI7Myy4-UwI1uTZ7yxth_HEH-DgC02K3Ab'
docker login --username deploy --password 'dckr_oat_YM752JRPLwoU5dPQEFIuhP2FC6sEDrVQ' registry.example.net # docker_token
curl -fsS -H 'CLOUDSMITH_API_KEY=f6df090ecd48d02edaac825fe5f9a639304b439e' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # upstream_auth_5
export TYPEFORM_TOKEN='tfp_VmG2CZd6oQ1UuVYIO-DC4vY9J3hoPSOpTeLA_OKK_Ml6Ycdo9e0dIxqQa0R'
export DIGITALOCEAN_TOKEN='doo_v1_13bceace1943a2fe3ed824301dd321459525c8e6c0d15558ebde2661116d9240'
docker login --username deploy --password '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' registry.example.net # langsmith_api_key
curl -fsS -H 'ALGOLIA_ADMIN_KEY=7f20a6cf68113c8bce35019d508b5bf5' https://api.example.net/v1/status
export DIGITALOCEAN_TOKEN_2='dor_v1_cb044f696c54fb35a05cdc29f5ae86adc860b6da978719e369cfed93594f01b0'
export JWT='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLXNzenVqNXd3NWVieSIsImlhdCI6MTcwMzczMzYzMX0.mRRVMbXxZpq7h6H1NkZtqTMWQZb1KcEZXfzUjKNActE'
export GITLAB_TOKEN_3='glffct-VUzahFf7AmAXgAlnXRUk'
curl -fsS -H 'ELEVENLABS_API_KEY=sk_41a7e267b98e898dc98953fa8ddbfc923508e42a803424ab' https://api.example.net/v1/status
docker login --username deploy --password 'zats0/HCMBOCZmVaUcyrd/jBKaQfq4PxN+ARmMOfgUW=' registry.example.net # azure_relay_key
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiDxHxjXrh/wFb6LbRS7/hG8TyJ53d5fQ14awQb7aAmtYzmjx1rcEoyEdKq8kxvdmCUUxSTyAXgjC0Evfn6Xk6EZ6ITfk9qd2mHMDAJkxB/ijAhMNDoZTs8M+qGfai+L+nLobC1x0upM+loUm9gi88CCP8rcq1RZc9YmYjyXOvo/hosDEZJOlghYAkz30K8msEZcLW2r91Z8sllaxWIMDdHWixfXTb/c07nv8vo/ijLpIHYmEPQUtu4zEsz3hVJs1K4V5jVXkxhPTmKDRpCp06iPAfDQivsWEeUOrDvaGOtClUeLKvu+0loRhPcBhfzOLha+EqWO4mrspR8oKK8e3l7UKWVBKWr/S6Ocdib8qLpg9pnskt0R6yZFY1oze+F1O40ETNs6lPu9Z667MB' https://api.example.net/v1/status
curl -fsS -H 'SUMO_ACCESS_ID=suDlPHpX2AjAPA' https://api.example.net/v1/status
docker login --username deploy --password 'r8_lv5yvlB0mSghGkNmdLqaqZygIq9W6pHlSBdqs' registry.example.net # replicate_api_token
docker login --username deploy --password 'ya29.a0K-GHzYBRw75b5oUVHOd14q4lyCiagCDnd7ZfUDxiMVJUejtRyjxmeqjNUjkEsVDR88QF_zsfEFmKNXIEauGOOgtRiIZJwAH-X3pmu_un7ZM_Hb9g-ANq7LaIwjBAVAvLUmxOVpfQ2vAP-lzdeC5Pwj' registry.example.net # upstream_auth_7
docker login --username deploy --password 'EAABbWHpGYRNOsCHoNBJLlQGCCVJb794sK4yys0rcJJM9B1GJly1aV0n3CZOweQGhWTqcLwspq2ZdWGIbbJH5wxuXGxMchEvwfRh9vNQgDT0uKiLkSeudGDUMKZh' registry.example.net # facebook_token
curl -fsS -H 'INFLUXDB_TOKEN=fmLNCPCu_MLE_epe1KbmPWjOPWM5sT6PhkW4qYtfZePl57_C9urJ46eUWjyzpjdGLasDuaaTidij1ws2CMUrSD==' https://api.example.net/v1/status
curl -fsS -H 'SCW_SECRET_KEY=e1d979f0-e7be-47cc-afd9-e7b17043372b' https://api.example.net/v1/status
curl -fsS -H 'GITHUB_CLIENT_SECRET=3d75e05e90c6cab04412201c2e3dd676c70c5255' https://api.example.net/v1/status
export SLACK_TOKEN_3='xoxb-406575789904-6780741763058-D78ok4aK3XBY5U2xfAFsOJKt'
export CLIENT_AUTH_8='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'
export NEW_RELIC_KEY_3='NRAK-FSP2T7EH5NOK1HUIDGBHVTZPQ3O'
export GITLAB_TOKEN_4='glrt-t1_bzpkM2MzCnU6bXo3ZGHQm0Wbys0h0NeVpi2WVSMQ.01.141uoyalb'
curl -fsS -H 'Authorization: ApiKey 0J9uGjwE4iQxw9+kRVwxt4fwGp1TxruqD3yASsBicRQXI3/1TVjsGTFvFiB9b1COVAxpEqG3rBLeO8EO==' https://api.example.net/v1/status
curl -fsS -H 'RAILS_MASTER_KEY=78d67f38eac564cd6cd1782df57f0031' https://api.example.net/v1/status
docker login --username deploy --password '-----BEGIN RSA PRIVATE KEY-----
OC/uXLWORcY7TxrVtnGVGGBSf94CSN7zA2q4XOXZTTOaQNSL9TNO0PNi8RjcZXW+
6P4y5HdXtIVkhXT4t2WbkqT0OTGiafLlJJuDigZ/m5eusInXqwr0+mqwHK61EVgC
puPJbhvL3X5dUrvbBhJKw06K5XQVxMVD45/Z/5hk7cs5vaquqhbrl08f3xA0Uwdz
W2cFW8/XglHkMsUpzBoc9DYwYQYepY1hvioIzJjAj7jiaLP/em+Ayh5KLv3xmWoM
0aZF5ArMXVrkNb+4BI5TGF2mJ1EIA0w+bltAYmQw8QxcvnEzCawONRklixMGINev
32P38VgWbn5tP1V1IeA+dJiWgWKijWG2mVtgJt+WJnCx+UR5dx1cKpFaCKkeCSM+
KP1Nmr199DV1tc5tiH8cEEmPeXs135NHc44O8wd5J6OpBcNkTFHOOW/RlHUYwTcP
T26+E1+Qry1CgUkraei+PYZtUEYggRm4dka8thMUnB/+9RU0MvTIeKtP7G+RqlcB
7Q9vrb9jN/XhgWCDtG8MHCViqkgMcITMbOYy/5kP7dCm6t2GFuWFE3hheJz5Z6Xh
31IxGy7xah6PhW8IAAO+xaJkG6R4g5OzikZeKe3luZ6DdnlCJwlq1dEQfFsTcLg4
1N+bEU3CJXOLEdos6J+22zGuAkcC5Fcung+3cK76s6dq0/ixMezh0/+ov7ca/r1I
1T9d0gR+nx47qAs1w2BUNLbLPdyaJ9ja45713eMf02RX1wCl+aEjh9px99F+LdwW
72g4hGQW3eZ2ZoacB2pYAhYZQJbeyHOB
-----END RSA PRIVATE KEY-----' registry.example.net # private_key
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=ad2bc846df948a8c6e26a0539e7a2c6b' https://api.example.net/v1/status
export UPSTREAM_AUTH_8='pul-4f1119e282418952efd8854dbd0d650f67e5d696'
curl -fsS -H 'STABILITY_API_KEY=sk-aSlpGM52znDRu4RfGMKczLyVvSB4OLZdyuLItf83ahxFRoN1' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # nvidia_api_key
curl -fsS -H 'arn:aws:iam::685487542041' https://api.example.net/v1/status
docker login --username deploy --password 'Ne72Ssd/UOSd66Rmg/aBbk4T4zXLSH+7YAZEGGP/Xtq=' registry.example.net # azure_event_grid_key
export UPSTREAM_AUTH_9='xaat-4d2fbc70-c8a2-49a3-a717-22652c36fe94'
curl -fsS -H 'SOLANA_PRIVATE_KEY=A1y6fPUvi59hNYNJGE4oZKTaMtnT4zXTWfgqnroDjMTgj6Qwg3eKkwXdErLjDAbNCsG28erB91EzWkVpmgvJsPw' https://api.example.net/v1/status
docker login --username deploy --password 'glc_xTmvPXsEqpjZfJ4CcSLi9Ik961pAM0mxMIKjTRi/PExc//2r/Y825ikOX0BB' registry.example.net # grafana_token
docker login --username deploy --password 'shippo_live_fb97b5339ccbaf941939ae83b323a09ba1d60791' registry.example.net # shippo_token
curl -fsS -H 'SNYK_TOKEN=41f1724c-315e-4331-aa63-3bef67de4c0f' https://api.example.net/v1/status
docker login --username deploy --password 'glpat-bzo1cjBoCnU6MWswd3aX_yF4LaDwbzlgfhs0tN_WEA.01.160at70uc' registry.example.net # gitlab_token_5
curl -fsS -H 'WANDB_API_KEY=4723ff47e098b8a68d22d6f9c7561081c138b6cd' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # groq_api_key
docker login --username deploy --password 'pcsk_caOfZC_G72vw75ZYtbsJ5BlqERN5wWl1P4lLuZQdYbX9vTNyasvSohxVgWg5VIeZw5YyitG' registry.example.net # pinecone_api_key
export GITLAB_TOKEN_6='gldt-DewIQ7Fr6GmKX6-NCyZM'
export AZURE_CLIENT_SECRET='fzo8Q~08JHGYl7bkRfZzuIMMxDohxBnokYFPWK7S'
curl -fsS -H '_gitlab_session=9d0c0f1d60caa4414e3c722a1d17afa0' https://api.example.net/v1/status
curl -fsS -H 'SENDBIRD_API_TOKEN=cb35a81dd374f73e4b8ba6b8ee5354bdb4debc79' https://api.example.net/v1/status
curl -fsS -H 'OCI_AUTH_TOKEN=lwXuy1ua4A3LLMwA2Cpm' https://api.example.net/v1/status
export CRYPTO_PRIVATE_KEY_3='xprv9s21ZrQH143K9Y4gurCmx7ghA3ds7a3wRWzNqQd4DySayGRCgGPZHf2a4ne12hNsNQKxw5c6f5XHgm7p6a6s6g9eatteS2yuEkuum5bnP3u'
export EASYPOST_KEY='EZAKqYlfVknIB1oyK8OEnMIIbnXD1dFoYf6d38uf82HPf4PlMldOxoIRr2'
curl -fsS -H 'IBM_CLOUD_API_KEY=mvfw11bTbNXdpRkX9TL94oi11yjHzsWSLea_9H3DQff6' https://api.example.net/v1/status
docker login --username deploy --password '00DXLaBDdWoEXWpuA4!PwhOss3wTlQkXcOH1Um9QbcxtziwY5bN4vGf4Eso.F8va1fbSghX9RDSoZQj6n1v1kwRmkeHtQlu00Whw8881Gm6L8jImopu' registry.example.net # salesforce_token
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=N6FX20s7jj46JfWWS2DO' https://api.example.net/v1/status
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
export OPENAI_API_KEY='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'
curl -fsS -H 'BINANCE_API_SECRET=jXZPdUumpyHHvG3nyo8aFDsiWPKFRkskfjYfiTMasNSKRmNIu0L0o8by56dqiELj' https://api.example.net/v1/status
export OPENSHIFT_TOKEN='sha256~pTYXpzKQ0H2jIC5RUc2x66prNDm7Cm8G9Yhg4j6C9pt'
docker login --username deploy --password 'p8e-YTbRh6ZrAo2JjMvoH8tcrrZCrEiJuODK' registry.example.net # adobe_secret
export AZURE_COSMOS_KEY='WQFYQSKrtSeClftcnHHPFbNx5CEZ0EPlnJ/Ubyu2qg50UIzw5bMcdYqp2Q3tz7rkdPliUMX/4wbMACDb0WKa4Q=='
curl -fsS -H 'SNOWFLAKE_PASSWORD=jZYPoWJGHBEztN7nTsn4F2jF' https://api.example.net/v1/status
docker login --username deploy --password '3ArzYxsccAC5Bnpmi11jSLoYlCRy9zg9r2fx1tyZ4GupKrzhqoDvJQQJ9HcEWqSilGnnQVRfNeUqYYiSAwn9' registry.example.net # azure_key
docker login --username deploy --password 'glrt-Q5m_DRkNpnH69iAacsBk' registry.example.net # gitlab_token_7
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=t2eviR3km8WS9r0cXwlsTX7VTnGqIU2L' https://api.example.net/v1/status
curl -fsS -H 'POSTMARK_SERVER_TOKEN=a864d830-a7c0-4491-a668-c4018fc6dbd5' https://api.example.net/v1/status
docker login --username deploy --password '2UtiGlaEMtepXzmgVFwcsaud6EPwFy/bIKCOLROdkvGbiQAKo0ajsruifv//7La5OjgGZ9VkCwGv+ABaPd7IGw==' registry.example.net # credential_10
docker login --username deploy --password 'ye5CMCotCqeWiMtsBwHi3woufpsjl1zk3AIoTLtN+Sd=' registry.example.net # auth_11
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=jjwYhSOo0MX1sYwpglkqDkQWBKBS8U' https://api.example.net/v1/status
curl -fsS -H 'TWILIO_AUTH_TOKEN=c2a407ae9e346b233553e25f40b64611' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # access_15
export UPSTREAM_AUTH_10='sgp_f63bca3b01e5d4a0_0c7ccea8a8496322f2d85a623f4a124743549011'
export ARTIFACTORY_KEY_2='AKCpVbcCI7Q0OywEgggaGU0bPuYMe6JCFag5zzfiDvmygM0bjioqS0IMzFbmoo7sAnya3hYQQ'
curl -fsS -H 'ASSEMBLYAI_API_KEY=9fc8a46faa9657e813121b702ff0c3f8' https://api.example.net/v1/status
docker login --username deploy --password 'sk-ant-api03-t69D2Ir9AJJeudxiZGEPcrs3_vmj6KulXSCR1L5SXxOEzd9P4nTWUen729XF0imlkjvbYEArn-WUd671HeBvNwvWp687XAA' registry.example.net # credential_11
curl -fsS -H 'DISCORD_BOT_TOKEN=MUc2IuYqVfdPtxCbg7QpbwcbkF.lhDFyr.igUxPxTAAYj8OOJmjAYlaJQnb5uEj-gPZlx8pz' https://api.example.net/v1/status
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: 5oi8V3e/JzDSFo0ktMV9oA==' https://api.example.net/v1/status
curl -fsS -H 'RAILWAY_TOKEN=ff6b4bc8-f16d-43f2-aa3a-53eb773a1843' https://api.example.net/v1/status
curl -fsS -H 'AZURE_OPENAI_API_KEY=0b039c4382079170903fff68f468ad1b' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # maxmind_key
curl -fsS -H 'Authorization: Bearer Rep8InNcuMajbzK4v9zY6cEKZRkdXm2V2tlV6PxE' https://api.example.net/v1/status
docker login --username deploy --password 'xai-7LBmkNO6DtTzufW1vamJ4vcjkwEspjtKHm0VaM3oFIeQBkGfvISN8NFol0nAz9ZLH99AJE9EbmyM1epm' registry.example.net # xai_api_key
export MAILCHIMP_API_KEY='50892705994ab1cc393d71635bc2915a-us40'
export ELASTIC_API_KEY_2='essu_v3Edoomq/sszpjayXPV7a1/Q4AOnRj46wXCGq+VWHMpIYRDVYyy8WFIUj8OGtpX546UppRQKx5CSLArG'
export UPSTREAM_AUTH_11='sk-svcacct-fOkkjiojKlrazwAeJwFavQTyXRotMTue-RpPzZMRb0CjmLZsrz5Vy6lLEIbWryyPKNSsG5A4f59TiqXOuH3BfaZc83yKGkY2wlhOYGhmXAYDNvHbhmefeSs391uzyQlQ2-XIG3v5bjZLzFCa0Bmh3sOXy3Gr'
docker login --username deploy --password 'sk-lf-22fa8990-778d-4bca-a3c7-eb247deab78b' registry.example.net # langfuse_key
curl -fsS -H 'ARTIFACTORY_TOKEN=eDNDSlyarlftjKSwN4zjuKlevQKmvz6UCCTxXgWRzMangfLy60Y69Bnz5BeAOsW8' https://api.example.net/v1/status
curl -fsS -H 'AZURE_DEVOPS_PAT=mshc3giua3dob6knkzdfnnv6eh4qk5f667ph22jb4kixqult2vg7' https://api.example.net/v1/status
curl -fsS -H 'HUAWEICLOUD_SDK_SK=SraNJGQkr654mRysrT1iGDCeF0frn4tsQfZZQk2x' https://api.example.net/v1/status
export CLIENT_AUTH_11='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'
curl -fsS -H 'Authorization: Basic 82SqwppzLIt1pES9YBPoLoxxhVYMqj4W' https://api.example.net/v1/status
export AWS_MWS_KEY='amzn.mws.1ef64822-1835-45cb-accc-024a303e7634'
