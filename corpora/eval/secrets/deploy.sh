#!/usr/bin/env bash
set -euo pipefail

docker login --username deploy --password 'SK1d4eeef4cb7ee875b48a29fa554a2653' registry.example.net # twilio_key
curl -fsS -H 'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=Ekywuu1CmMnyNQlBd+e4anwxTtvaWWHH2uM6lCrczUj=' https://api.example.net/v1/status
export CRYPTO_PRIVATE_KEY='xprv9s21ZrQH143K9yfgjbnibvY7HjWHLyBrNWsSVmsqaUDMmLy7VnEKLpnYqn3gJLfadDHkvr8MYaVMYanCvohaUbooaftaNpdEuc18Xgw7nLG'
docker login --username deploy --password 'sntrys_eyJJmsUOPEcliXKnl6lOX+Ym6V430dvmab35UDja7WEiMG0REelbcrhgsq7cC72BMuC9JE4fPSXc09vVZ+FdaLwCO9FJV1WMovNu+aW_DaW2sgBEYTmZC2kkT5Ya8lkY7iVODBqKRFmaP4IcKqF' registry.example.net # sentry_token
curl -fsS -H 'ETSY_API_KEY=jjvpadxy3u8qkp7v29itzypr' https://api.example.net/v1/status
export AZURE_KEY='ExuEXnUIB6gsyr9jdXFvv70SXDgCTDlLPs2gSOd6PdAfSdBimd97JQQJ9DUISdtbamNg2tn3efBkPkI0Ct9e'
export ACCESS='EZAK2sbfpzgMYlaFjlU154C7FseyqAWTijn4pVgMf9yrfXkvH6NHthoLBV'
docker login --username deploy --password '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' registry.example.net # upstream_auth
curl -fsS -H 'Authorization: ApiKey 16nieiO02vFytV4ECXWBgxBriU61UHTOn7EtcRR80RMtSK+g95mZCED70pwMqLcJqpwVXODTxHBynfjb==' https://api.example.net/v1/status
curl -fsS -H 'SEGMENT_WRITE_KEY=1BR7TRbinzXBtsKPI5JPhd8psyVH4f56' https://api.example.net/v1/status
curl -fsS -H 'STABILITY_API_KEY=sk-OYKsWguvNmOTYRA6neDkRVpmnP3bi9Tzff0u0kBPAwsNsPnf' https://api.example.net/v1/status
export GITLAB_TOKEN='glpat-Wqr2sxV-Px0XKGH1dyvb'
docker login --username deploy --password 'hvb.fZBclI7WXUxTM__kmnU9zRnh7Ayz9v9xzKZyzwGrfUqLP_PNBzmv23YzT0dKm_G-RD9A-kERt3YDv1eYK1kJ-LpiVGDa4pXfpPsszB-HW-LbaJqd1zc8nkei6LnfLaAYTjQOrW6xR0zU' registry.example.net # vault_token
export GITLAB_TOKEN_2='glrt-dl5JNQbUR0JwNDlZ_49t'
export XAI_API_KEY='xai-Z17z3lTJRQIVTFH6iABWyyxb6hBwbFHc7NCBsI4tfQEUZiYHsYl2fIqypxSUsSPbMT8KGSxAPeY73hkj'
docker login --username deploy --password 'HRKU-AAQyjQjGN8hzt1cHP-KSxQyLrle3TezBZRPx4DRNeh29bGdGUGB3S6sONtJQ' registry.example.net # heroku_api_key
curl -fsS -H 'MISTRAL_API_KEY=CNSZgdE4IAk8snHxn1t09EGl3aXyd1pC' https://api.example.net/v1/status
export GITLAB_TOKEN_3='glpat-bzo1cGExCnU6NTRmNWihJDt0ohU-tJQzYD4kGgxnEA.01.161wypkgn'
docker login --username deploy --password 'NRAK-X8PDBAW0XASE20FHCQ5LCXMDP9B' registry.example.net # new_relic_key
docker login --username deploy --password 'LTAIqllkvoye0n7dBn2B94gB' registry.example.net # alibaba_access_key
curl -fsS -H 'ASSEMBLYAI_API_KEY=b870357ad755f947ebf5d4cb1ab989ad' https://api.example.net/v1/status
export SUPABASE_TOKEN='sbp_e2c011b2248239b79814f97221537647580669c8'
export DUFFEL_TOKEN='duffel_live_Bne7sBmlhSIrHUVRcRm841zUY4vnWbr25uDxUufcVly'
curl -fsS -H 'WIF_KEY=KWL31an7QEEJwvReQ1EZgbuUpxXcHZWBrywWm5K7gWW7estofHLC' https://api.example.net/v1/status
docker login --username deploy --password 'access-production-a0a8f40e-1740-460b-a77b-4387cf1087ff' registry.example.net # auth
curl -fsS -H 'INFLUXDB_TOKEN=GtpwyLR1L7Zw3STlmg5ahGpUG1I-XVR1N-DS6Bgb-ItPUW697jtgISELO-wMAspRgUdp-vXYBkff8TzIhvBkcJ==' https://api.example.net/v1/status
curl -fsS -H 'GITEA_TOKEN=3db0952ad2246e243d2063ac9a8d1d1033c86949' https://api.example.net/v1/status
docker login --username deploy --password 'dckr_oat_j7AHFAY9llx0hwXMbVHr8F8jE4JBkYbx' registry.example.net # docker_token
curl -fsS -H 'GITTER_TOKEN=ji7Q16fQ88qxbQIhUW-XVmlkO79hBaekmhZYh-Rs' https://api.example.net/v1/status
curl -fsS -H 'ALGOLIA_ADMIN_KEY=7d177ef12c133f1ad2f18fb822dcea44' https://api.example.net/v1/status
curl -fsS -H 'ALIBABA_CLOUD_ACCESS_KEY_SECRET=zxseSy4UvYSLFcEripWCytpIwGAJww' https://api.example.net/v1/status
curl -fsS -H 'FRESHDESK_API_KEY=FUsxjEQxmdqjlwcGElWL' https://api.example.net/v1/status
curl -fsS -H 'UPSTASH_REDIS_REST_TOKEN=AXUMIKPpKG66PLM9vOl-hnbSP34ZM3iBViVcyRM00aabFjvwuukH4rYW1PWgbU' https://api.example.net/v1/status
docker login --username deploy --password '8CTSzoh8D7ZSW6.atlasv1.8YV2DXNWWLEVd8FQVKRmIZE2Xzy3ys4UDW8wwiOjBakimM1PQ4i-eiG1B6niGd-3AYs' registry.example.net # terraform_token
docker login --username deploy --password '$krb5tgs$23$*svc_1h50o5$CORP.LOCAL$MSSQLSvc/db97.corp.local:1433*$306e89b7632d6442775310abf9fa4cfe$0b00ff05b12c5c5758e80a70a8124e0646069f9cd6b777071750ab591255ab444f7753ac61519f525d591e4d54a09dfaa74eba0d855f02cf845fbfd0df82d955cd56df7ec7aa7b64190eb21b4f93d83d7f1c6327b4ceed1b34be1ebd581e406c0641186b8ac14f502f3e6915eb719a238702922ae369aca3' registry.example.net # kerberos_hash
export DROPBOX_TOKEN='sl.0var-tf3SHWG5setb_SLINa6QTJHsZhBAz9Ix7YYJ4f54eT334m7IMqSJQ33h7pHQXjRqa0CV5HZDkmGDIkUTA-K607MHXIjAO-d5T77e080YIqXJGpsg1l5ghg9GaNzXKMceVyVZHIZ'
curl -fsS -H 'PLAID_SECRET=6de593a9a845c80e06285b4c4556a3' https://api.example.net/v1/status
docker login --username deploy --password 'sha256~qMAkxhJBL9UpmH5-KrqmVYlKNVoPfcfwqgyWXh-ePlt' registry.example.net # openshift_token
docker login --username deploy --password 'cmVmd80cUgTrCUJQRgMHEzNvHcNk3NwGROSIdjkHTEo8WvWGSFLXK1sZMGqCTkag' registry.example.net # access_2
export ACCESS_3='AQn0914Bnr9wBoCbNmBb/pGXZ1OGr7YkUAzCaMjFK5L='
export ACCESS_4='08dc1fddc1affe032a974f642399fcbd5cf5NRAL'
docker login --username deploy --password 'sdk-94579ca3-8ba1-4084-a53d-ccf15c58fcba' registry.example.net # launchdarkly_key
export ACCESS_5='PMAK-848377eac0137e7b371f66ef-3e14762205c31d1eb629e1422e6147ba9d'
export ACCESS_6='W1JsFpaDLIIDRD83THFVcFK0ajR0otQszK8jLE7bUFgm+pz4g5ypXV8AjS9eOiMMzZ9TYs+mxISt+AStw8Uvwg=='
export TRELLO_TOKEN='ATTAqcJ2wlfQAdX9boiigQ6nAlNgb0SJv4BjG0OnoEGRif2rkRbccOLWuDXnZbarTEnK43DDB53E'
curl -fsS -H 'IBM_CLOUD_API_KEY=VSDSgWPv40k6BBOA4xG798qGFOO2-olHRGfPu3pbcWI5' https://api.example.net/v1/status
curl -fsS -H 'MANDRILL_API_KEY=md-YfOSmsxogcCHEnOONqHxE8' https://api.example.net/v1/status
curl -fsS -H 'ROLLBAR_ACCESS_TOKEN=a081f43142ba52146c8522aab872d4bc' https://api.example.net/v1/status
export SALESFORCE_TOKEN='00DDczTQci3kJWm7Sf!5ygTumWNTbkkDEMcbd0nbkLizLOteZmn7BlOnSGC.RtZWdQr6TIu8RlsSG6qDoKb5QLtrBBynmjyRrVBj2Eu4BRLZiS3Tx8Y'
docker login --username deploy --password '7dfae57fcd771019534468677e7e9002-us03' registry.example.net # mailchimp_api_key
docker login --username deploy --password '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' registry.example.net # access_7
curl -fsS -H 'https://hooks.slack.com/services/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' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # groq_api_key
export CREDENTIAL_3='AQVNlSTT17kUCMZ-SLNJM-cvEGyFi5H-myh4xLym'
curl -fsS -H 'AZURE_OPENAI_API_KEY=66134c6de1b0023a8cd48efc4c45ce1f' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Basic 6LRE4X9ChcJB1VtydYxT+37yxtbQzCZE' https://api.example.net/v1/status
docker login --username deploy --password 'EJ0Ihl9muKQlovc6ZavuiUVhLoz8VtJRU+ARmKJ8Evy=' registry.example.net # azure_relay_key
docker login --username deploy --password 'pk_99618371_YU8ESDYR8GOXH87C71QG1O4HU2OYGRVT' registry.example.net # clickup_token
export DIGITALOCEAN_TOKEN='dop_v1_8747abad348ea57856dfaf2990f322d224b47cba77be498630dbef1f52a10993'
export AUTH_4='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'
curl -fsS -H 'jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=fBYS1chEFICa0CiuTQ03' https://api.example.net/v1/status
curl -fsS -H 'ELEVENLABS_API_KEY=sk_d8a9035c2c3ae46560801492c168893551a91a55b676361f' https://api.example.net/v1/status
docker login --username deploy --password 'ghs_51U6hx0HB6bONw7PkvqueMNvOQkgKg17jJKz' registry.example.net # github_token
docker login --username deploy --password 'sk-ant-api03-40NpcGAaVIuTqt9qOE6bd62IyMKbufSLoxxC1NNsfjzm-X138H9f-mD9E7E_AjyK-MdDSF2CGnxgA4P6_vF6ejrL_va5nAA' registry.example.net # anthropic_api_key
curl -fsS -H 'RAILS_MASTER_KEY=c2a407ae9e346b233553e25f40b64611' https://api.example.net/v1/status
curl -fsS -H 'MAILJET_SECRET_KEY=a1827a45f17b79da577f1d5b9e799e81' https://api.example.net/v1/status
docker login --username deploy --password 'sk-lf-da1e5456-df88-4c7f-a699-3daa5d8e0ab3' registry.example.net # langfuse_key
docker login --username deploy --password 're_mnfh5v2g_9OmZPR14hJwOR7gkNcZ9Cm1y' registry.example.net # resend_api_key
docker login --username deploy --password 'fw_NJApNub5Zrfdikvl8gS02OO3' registry.example.net # fireworks_api_key
export OPENROUTER_API_KEY='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'
docker login --username deploy --password 'dor_v1_77bb8776ae2fb563696cc5e64be5fc0c51c1c94832c808b8381602e39db3603f' registry.example.net # digitalocean_token_2
docker login --username deploy --password 'shippo_live_fc710d75269cae815cddea1955310c86765d6556' registry.example.net # shippo_token
export JWT='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLWowZjY2N2t0a3I4MCIsImlhdCI6MTcyNzY0NTAxMX0.N4YzhQlN57cyJ7YQozysRBI_5pLdnpgeAdii0n1Bo1Q'
curl -fsS -H 'ZENDESK_API_TOKEN=S4VHZRKpgMPwJSmJ6BgQRfj2NstCzhz55RKv3qE1' https://api.example.net/v1/status
curl -fsS -H 'aws_account_id=820385397410' https://api.example.net/v1/status
docker login --username deploy --password 'AAAAn3BxCEy:APA91bhU1SOgu7Ia1kxJIx285hqRmjbkJVa_Q5tAGGpKsWILNiin_oggwkBPmAwPbH2aHMzqm9Q174mIYWK3SYmUtcwHaOLxEVWjfk4eY_mHV2neNvZQTczmx31e6sQwhQm54xouhWoX' registry.example.net # fcm_server_key
curl -fsS -H 'ASANA_TOKEN=2/6174773545554989/6247782086539927:86b213e6ac56bb1e9dd29ee86a112706' https://api.example.net/v1/status
curl -fsS -H 'TWITCH_OAUTH_TOKEN=a09x7fdxjkm4a2hq2llmouhplcsxbn' https://api.example.net/v1/status
curl -fsS -H 'kind: Secret
type: Opaque
data:
  password: My+k6L7CMCLWdnQSkrlGqa==' https://api.example.net/v1/status
docker login --username deploy --password 'figd_rpiS-iFR5Ayc-CKfMp1e08v1yJ2YGb1G0-MqoZcF' registry.example.net # credential_5
curl -fsS -H 'MAILGUN_SIGNING_KEY=d0bfbb60a1b52dbb9167fd63e50ef286-e8cf1911-6b2e3dd7' https://api.example.net/v1/status
curl -fsS -H 'VAULT_TOKEN=s.GSWEIsHOlQ8qT7CRnUWVeV3l' https://api.example.net/v1/status
curl -fsS -H 'ARTIFACTORY_TOKEN=X4KSNxU2DxvGfejEfZ4mEAtuaNssLq7NJMtnKF9hoM06JcJYl4uY27qvlXZNcJ68' https://api.example.net/v1/status
docker login --username deploy --password 'gloas-9E-1kwID3K89EjdJB6AOXpxmVjaqOkbmemKng59e_JDo9nNcoour7btqGWm-VKku' registry.example.net # gitlab_token_4
export NEW_RELIC_KEY_2='NRII-p6avAcErfsegIDE-CDMX5QvI3fqNN7fN'
docker login --username deploy --password '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' registry.example.net # maxmind_key
curl -fsS -H 'MESSAGEBIRD_API_KEY=rzDR2PjAbKul1369LyX7JrhmU' https://api.example.net/v1/status
docker login --username deploy --password 'hvr.JAWmXt9AWfhDWiGOJM0W3xXihWbVhY' registry.example.net # upstream_auth_2
docker login --username deploy --password 'p8e-AcXXY7mqX6tVI28ABFTXotn6p93I0jaX' registry.example.net # access_9
curl -fsS -H 'OCI_AUTH_TOKEN=IZhmZsSJzVXVfBdMQqgu' https://api.example.net/v1/status
export GITHUB_TOKEN_2='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'
export UPSTREAM_AUTH_3='EAABpvoJRkcRIVAG7Q7obTQr4s1HXLPNDcq04yB4CI8HEPeDPHxMXykNqkBiPBMuOJ6XRKjcwHVvysCdOOkKdR1WbogcL2WHXy4ORVxTosaR5VPghlvD0daIu3Vy'
curl -fsS -H 'JENKINS_API_TOKEN=1100e83a7c56194eb036f404bfe37f407a' https://api.example.net/v1/status
curl -fsS -H 'RAILWAY_TOKEN=79767f4c-1bf1-411d-afaa-8e7ddfe99751' https://api.example.net/v1/status
curl -fsS -H 'MIXPANEL_API_SECRET=aa5ce032d4fb784ff1a31ad61c8ea68b' https://api.example.net/v1/status
curl -fsS -H 'gradle.publish.secret=bxd3uu8JeKwNgHN3Nb85htMl7XXmKgW0' https://api.example.net/v1/status
export CLIENT_AUTH_3='AKCpFmJE0ZGihAuzQ6NezqvJvi38OxNh0bKVT44Jyj65KsedVcbU8XneGRfWIkfvwj5qrnnQh'
curl -fsS -H 'APP_KEY=base64:KEDK5r03c6U52Z1nbnIJ35jfe9OLlUHgRvjMY7f9dyK=' https://api.example.net/v1/status
curl -fsS -H 'ETH_PRIVATE_KEY=0xf250781087bb94deb29282851b6e8d4b41d417c5af1b726c4c339e34dd50278f' https://api.example.net/v1/status
export GITHUB_TOKEN_3='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'
curl -fsS -H 'SUMO_ACCESS_ID=su3regH9BcJu1t' https://api.example.net/v1/status
export GRAFANA_TOKEN='glc_sVP8zn+yc/PPsPYbjx/6Qpawing7A+JE8kroJcNuA1BI4aSxEqyB6xrXhLaV'
export AZURE_IOT_KEY='T9tYTmeIeZdSBloJG+tQYdHdN2xvZJ7J7AIoTDIvYYL='
curl -fsS -H 'SESSION_SECRET=Bv4aeuyLj9GoKI9J8v6LyCXqhBLeWudc' https://api.example.net/v1/status
curl -fsS -H 'DEEPSEEK_API_KEY=sk-cb76ea63e012bf6554fbe15723c4f074' https://api.example.net/v1/status
docker login --username deploy --password 'sk-svcacct-9XqHnoTIHbM83fPdJUozZkDaGfz--O6dYusEbbIR_f2hZU8Qp8djWemr2JPkOLijD21WlM-2JlI1YFI8tED4ZySFTo6oiiQThIbHoDLyJbO9wp-MB3xxtPO1wPRLzEWeAZNIpJzLK5Jpffx6ag9RHRlg3HoH' registry.example.net # upstream_auth_6
curl -fsS -H 'TENCENTCLOUD_SECRET_KEY=ef8RLJKcdGHLQS065BelaARDl80dCGrr' https://api.example.net/v1/status
curl -fsS -H '_gitlab_session=65e64c3d2c1144df09987fe533d3ce16' https://api.example.net/v1/status
curl -fsS -H 'DEEPGRAM_API_KEY=dd3e88334c40b2b9b552bd7c41d688a1d215d1df' https://api.example.net/v1/status
docker login --username deploy --password 'ya29.a0ErHCMz1FSN1pLQoy3jIw7J7uNk-SM0Ocf5tAJwFvDWvyWIpJz_vvQWsdd8etXC1E4l0zBuYKl1GrEGPoUldCDPdZTZdmaDbfmKN3DSVFDAVQNaubj9Sd_Ek_tEyF6Hx706fnBIi2v6cMNysksRd8EB' registry.example.net # credential_6
docker login --username deploy --password 'dp.pt.rJyzoZRUSTFUdsNBctal86i9QfmBflhjV6r37U61X8J' registry.example.net # credential_7
curl -fsS -H 'DD_APP_KEY=bc2823468504a53d66911250988e154201cc545f' https://api.example.net/v1/status
export TAVILY_API_KEY='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'
curl -fsS -H 'AZURE_DEVOPS_PAT=366nzwwp5mzphkdas73mftqfetjwga7i3bdszfrpmzugffcfle4y' https://api.example.net/v1/status
docker login --username deploy --password 'sshpass -p IscwBpbZvo4qC6j1' registry.example.net # credential_8
docker login --username deploy --password 'xoxb-385407795005-2897002697658-TObdqPsi9ZK27X6tZcZkeEiQ' registry.example.net # slack_token
export CREDENTIAL_9='xoxp-58041623885-15684002781-5821206859638-ffd3c07d05b905fc04b24412b73bac7f'
docker login --username deploy --password 'r8_yMTLURISbhl2Ri5lxEiBPT4ZOyw7Y5s7ylxY4' registry.example.net # replicate_api_token
export ACCESS_12='gldt-ei4umjlWg9sc4IUbJx8h'
export GITLAB_TOKEN_5='glrt-t1_bzpjYmxkCnU6NXFjOGovaIC3S882GgpXQ4dBHJdxEA.01.160tcy1y6'
export UPSTREAM_AUTH_7='dapifb71de01b3b1f2668ac641bdb00ba8c9'
docker login --username deploy --password 'iuxK9Nya2l90XYhsb+3UbX7jka8AfST692W5j1S1hcT5gQji+YDTQm0dU4l/sBoVZZvd20FTvCmqACDbK1RRXw==' registry.example.net # auth_6
export ACCESS_13='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'
docker login --username deploy --password 'XK3Vy3ByzKT1w9NGJ4htm1OBj06vBD+shAZEGDBYYtN=' registry.example.net # client_auth_5
curl -fsS -H 'SCW_SECRET_KEY=18a382ec-aefd-406a-a889-1c5dfda26b69' https://api.example.net/v1/status
docker login --username deploy --password 'pat-na1-7229a5a6-a456-4135-a5c7-3a6567642635' registry.example.net # hubspot_token
export HARNESS_TOKEN='pat.TORWKEd42HFP3BKGiRkoPO.WnQCDEQf1BCZOmCqYuz64hml.GoLN78BFt8egwJFnN4i8'
curl -fsS -H 'DISCORD_BOT_TOKEN=MIUnARHhJIaaGPKFkRYyx59WoS.W6qaJu.UUBt8T62F78_Dn_TdZEpv5idnsfmzaAjrAl_jz' https://api.example.net/v1/status
curl -fsS -H 'OSSRH_TOKEN=EynC1wTnorLm3Fmf2wSWCwaIPlI+1T5tZnSP4UExjzEj' https://api.example.net/v1/status
docker login --username deploy --password 'pnu_sGYDBmnYUY0Bh2HiGabFblU7NSVz5SaFZSzl' registry.example.net # credential_10
export KERBEROS_HASH_2='$krb5asrep$23$svc_64yt2y@CORP.LOCAL:f6cb27c24fcd9df214328ee4a74863a7$f44a1e64a1bcdbfe97d8186108543f8bf0660891e62f9eb872da0bab767f65c7c5edaec6269c75d20b6d7aaa8c35e9cd7b5c114f886bf12aa72974c35844d6748095f63fb76e04c54c1ad861bd806f00d01da391fb4995fccdb85fb1aa4719e911a6bd338e45ae144ccf4f0aa0d844b2c4c115d42edeceda'
docker login --username deploy --password 'xoxs-4530571390-9195416140-8878219785-400a1a114d823d2ff673a3514703c332' registry.example.net # slack_token_2
export SLACK_TOKEN_3='xapp-1-WZGJTJ4IS9O-0953661748303-706f3db592b5da49781b184a646b91bdbdfd802c66e8ad0c199586349bf1fb24'
curl -fsS -H 'GOCARDLESS_ACCESS_TOKEN=live_zpkHk9C27iQAXFAFKquWRwFMjqg7MeFBMnh54j5c' https://api.example.net/v1/status
export SQUARE_TOKEN='EAAAjf8ZBgNCzrQHBWYMld9Rx-TsznikFlY46DFZDIJRl5Q7JOBIhIcxfdiKI5Vn'
curl -fsS -H 'SNYK_TOKEN=0c2b1901-059a-4084-a3da-675e55673736' https://api.example.net/v1/status
curl -fsS -H 'client-key-data: LS0tLS1CRUdJTiKY2AWfxJ7t5ODPgoWETZxp0HKgCpGsEUR+nsjhh7kCTKGbNmHaRF7o/k3gEKt+x8vr7yCY0rn3w4PpnnKmImjNnjTD6FJc9AtZJtgDawGaNLCBBjp1Lli2+j1/0nef0LYDRXyIjYQqDHjAhNz2HiRwGcaqFYbe7il2BFkzTW5cs6A/LEx3bOYTKx941KvhAvC7qLfgvDEE7eOSfUeNvKON9HBKCCtpCKWSHFfAuIRv5IFUecNSyu7N6WHl9J8wlHRxShHXrbpSMvc8J2tAzvLJnBqZh4zRwSMbFX/mn1KHKQB0NSfxylV7FGKDkRWRI/uG3kWjutv+n7uRT6xSE7MIlUTiY+LUhmJ3UqsjBIMBWaREBOPFwmKY25oG0tUPNFVlkHUBzHUPnJNGSn' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Splunk 8d685deb-9bfa-4459-a8ff-28d75d9ea7cc' https://api.example.net/v1/status
curl -fsS -H 'CODECOV_TOKEN=74149d69-ad10-405d-a12e-4e5b202c0d06' https://api.example.net/v1/status
export ACCESS_14='y0_AgAAAAeDbPhzFFIYHnA4TEJygqMRDwIyTQINk0JW3OUXqUsEq06njkkv'
curl -fsS -H 'VONAGE_API_SECRET=Bf1V6eHlcVLbJ7rX' https://api.example.net/v1/status
curl -fsS -H '"private_key": "-----BEGIN PRIVATE KEY-----\nLFYXVPgauJQ2BQljil3aJie9p0S3ET53Z81W75iq9jm1ApyxbG3z1NNMynEXkXK0\nMG9NyfDLGO/99DqlO+ifkoYxWj0w7HITHxD+dpX4YthI93F4Yux3awlWTw5b/tYs\nk/LckUUBAEx1vtH9PiKty64O5tiCgsrQTHoxAvDiA3Z7m4IY0myzCYOUs/iVOx0D\nfMZXI0H+qxoYcoueDn2uqqbMtbp4Ub67+J/vMGWpNRf3hna450QXlPgr3WAnYkxR\nwvMb6wTaawSxrOShi0hKgPLj+WBbU4ynprUARmArq/bHQHVZTF/x6QOkCSlVEVSO\nmAohnbM+yrSxVP9pvOHwm0ZodGYzbi2Z+1hSKD9qjJzlMfzau8DtVxbyMsHMqApg\nHEdTAAL09+V5HUoD0TQT9PkiNCtB2fug+2fPbSFxMhyW4p3U+SMp8di81QbaibMB\nDh6KVThAd355HCsI53lID62i+EVzN/uO\n-----END PRIVATE KEY-----\n' https://api.example.net/v1/status
export ACCESS_15='glptt-90b04985282e2a060bff35c54bc77cb8d5c57f8c'
export TENCENT_SECRET_ID='AKIDjMOLgTRJkxmGM07MoQid2JQnpwJN8biA'
curl -fsS -H 'arn:aws:iam::374444279842' https://api.example.net/v1/status
curl -fsS -H 'SECRET_KEY_BASE=ae80a34342cd6a9ab2d2e4bd6036c9250437f8942624a1e69186e08e4383344e3181b9e1f5a367934b14130047fe76bd94968dcd68ef0b36f9acc8ef43a01302' https://api.example.net/v1/status
docker login --username deploy --password 'pypi-AgENdGVzdC5weXBpLm9yZwI8eyJ2ZXJzaW9uIjogMSwgImlkIjogIjc2OTFiZTgwLTE5ODItNGRmMy1hZGQ1LTg2NzFiYTdhMTlmMSJ9AAIleyJ2ZXJzaW9uIjogMSwgInBlcm1pc3Npb25zIjogInVzZXIifQAABiAjkZKw0B0ccjHqemmOkII_ZmG7S7Htkg4cTJQsmH6DKw' registry.example.net # access_16
export BREVO_KEY='xsmtpsib-1fdf7b015c52808b1fc93f04abfe61f6a79d309477a4cf17f30484c92b5e02ae-jszJdJ9cUKA1dNsA'
curl -fsS -H 'CLOUDSMITH_API_KEY=21d53caf99b59aa2260a27275932b2703004d843' https://api.example.net/v1/status
docker login --username deploy --password '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' registry.example.net # openai_api_key
curl -fsS -H 'ENCRYPTION_KEY=ea9dc6461f800c8768d454ce306d7467b4272f5abbd24d4ea1077625d99d385b' https://api.example.net/v1/status
export UPSTREAM_AUTH_10='sk-admin-QTFTFp9eHGlMB7lj17rFA1tKD4n7qXkOIVmaR5VPYFk8M2rXwGM65x2AQqNY6D0Hdb-ZmyIcyZFQev0PsPt2AsNqyvA84ivUNEADWGJEGHRURVbze8AnpAtZ3lgER280zB_jLqRuZksl4knpYrJyMddeokYl'
docker login --username deploy --password 'j2R61zkIZOUHZcwwwewH6tH4OB+c+s+cttqAd24jm2st2vH1eOps5n7D4yHoGa8iEHY4QjgNLF+A+ABaelUjAw==' registry.example.net # credential_11
export AZURE_APIM_KEY='VlXFd7PHoRvyv+cCuFAlarERdis1MCQHnM6x2dH/bFpkuuIphdk6KnaVmsWwI/XbXvdSgjZdTmYwAPIMndX4bQ=='
curl -fsS -H 'DJANGO_SECRET_KEY=django-insecure-EOG5CGF87UD2hoNqjQU5xXcqLzpxCdUDHKPqxENr' https://api.example.net/v1/status
docker login --username deploy --password 'access_token$production$18jmwu304fytn7bs$b869a9d84a743f459cdc4b7b3176be2d' registry.example.net # credential_13
curl -fsS -H 'BINANCE_API_SECRET=J3rI5xU0TGjgepT4XxK428O95y2exqoJKzFwhxvwggrE0roIOOLTIvPYWL6uaCS4' https://api.example.net/v1/status
curl -fsS -H 'TOGETHER_API_KEY=tgp_v1_4Udu0e9lxbsfa9Ov7TmJiSxaZuiqOcNA6Eltwp9O-0N' https://api.example.net/v1/status
export SENDGRID_API_KEY='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'
curl -fsS -H 'TWILIO_AUTH_TOKEN=e63b69fb2be97217974d664533552d98' https://api.example.net/v1/status
export AZURE_CLIENT_SECRET='bVq8Q~jAcv1J7cN2bWc38IgV7WgylB9FGOa2WYe1'
export AGE_RECIPIENT='age1avhyw4qzuqsjjlpdd94t2s6r94r0tt469jhvj0s2zmnyrnclmz9s5lcs75'
docker login --username deploy --password 'glffct-hPqkX5qVrI-59pqButrv' registry.example.net # upstream_auth_12
curl -fsS -H 'JWT_SECRET=deibaOJYZIJTJrrX3BwpoMzdXvVedyjX' https://api.example.net/v1/status
docker login --username deploy --password 'ATBBs8FSgq5DO4749Vcv0wJZ9mdlbuByGFReA5F4C81E' registry.example.net # bitbucket_token
curl -fsS -H 'GITHUB_CLIENT_SECRET=4d022a3017165de6e173567925fada599f2b7944' https://api.example.net/v1/status
export UPSTREAM_AUTH_13='tfp_KuqM7ik3RdDfvfqHL7FXAlFBYklmSaqBWo1338I2gzuJvSmG5Nd2dlbCEtf'
export UPSTREAM_AUTH_14='xoxe.xoxp-1-Qhj0U7pGCexrP1Vw17TJ55cOz18xfhp2gaadt30LUifvkCvDtjPccNbZuTps6KzVCBDvTMT4LhpD9BbnugELa29a92m3OfWtozDDQHYiSRRP6bD3VZEhSOkt767gL9An73XeymRS6faJ6MKFI7sgGLHTyPN0LDxA'
export CIRCLECI_TOKEN='CCIPAT_SsPnEGptU1wPWoomrwGAha_e17b935f42aafc0c21926cf69ad61413fa6d0cac'
docker login --username deploy --password 'ghu_6AP5MKBstIb1Wu4iC3FEZ0jdglgork3eLcLO' registry.example.net # github_token_4
docker login --username deploy --password 'pcsk_lo6wqQ_Ej1rcTr4th08ppJCW9JpKYctS7k7hZ3sBkZMWjXwTVA6MMXcQgI9rxrzl24teY67' registry.example.net # access_18
docker login --username deploy --password 'xaat-2d4fc332-7807-454f-afee-4f1e558646fe' registry.example.net # axiom_token
curl -fsS -H 'Unseal Key 1: GX3zYJrn/calmfQv3BhbjKazRb8jsyFE/ofR/39+d+AV' https://api.example.net/v1/status
export SQUARE_TOKEN_2='sq0csp-xEtAq_tETwdbJMS6AaDKfqbC5dgcWq3dBBhmFbAceNv'
curl -fsS -H 'Server=tcp:db.example.net,1433;Initial Catalog=app;User ID=app;Password=v9hIVU9QTSW9pFiUECmJ' https://api.example.net/v1/status
curl -fsS -H 'SPARKPOST_API_KEY=b102d7f42b83b6a0e103475b511fca6c7f409c9d' https://api.example.net/v1/status
export PRIVATE_KEY='-----BEGIN RSA PRIVATE KEY-----
SB8YYxVY4G3unRCNUt3/XCrpcm8IuobSzhJGqw2QEj1ktX5MGpZOBrhpYO5TkI+j
kRaPh8n31xTR6wG263/2Ihe0Zzn+DTAjx96yMQkOeBNvlI/nAxGSxmyryPz1K4ay
ElWA4p+pQTF76opR314YSKYKMHvxkpUSw5KY51WgpndsGiFtN+XNaFqyPZ/qYu63
03AeGhvHQUqiQPBJtCbSPszWKDHt/e4cIhNFh6PvI/Dj3f0TBBxzlchHPXSZ56Br
Iij6fH+X/UXpaZHC1jeTscFjeD4n+ZCt8X66LAAMi8llsoax/p5CYvVzdIp0ziz9
207PNIQoxd4g8/sYm0a3cWYSekEj0IL5xorcaB21sutJS5xvTN+hMa9P3Nvyu4VK
RSOid8F8Gnmy+COpjEH6SM1AQ0new1t7Ji16N+DZGHQKgQptNI/wn4Trt6n40kdb
HrSAjznTGVzTnAIuVta2xUAvEB68nRDIGIip/Fo77MlTSLYkWET15yQ36t7id0ZH
hf88fWxCyIAEFiOq9A2cX4+Uq4T04P0Ij8dEFBDyU9uoX7/9QNzinUFgvHSIvBqY
8dam47qujI2DJFV3ZJqHXfRtGjGxjMC9y8rLj/mY/3f38V5E60JDVKgVIuMKYCLx
eGIYxe53NnxcOeHQMhGaXIC+lqc7VveW39BPcqBHYmft8gse8kAOD+V03mzV5iWC
1bMLGHkYFkEfD/+KcJizc5tHbt35kQtmL+WGJ5BKGoOlXSe4jwZTBqfRp20GZLO7
uuWbjefvBsU0yXvemvwDEfupt8koVc+r
-----END RSA PRIVATE KEY-----'
docker login --username deploy --password 'doo_v1_3721c4586164d9d9eb96adda2dcc6e8c2cc1ed6d8b0239e816c404dc511c56e6' registry.example.net # digitalocean_token_3
curl -fsS -H 'WANDB_API_KEY=8515dac269b870409ab9d90bb9ccd2b29bcf7c4c' https://api.example.net/v1/status
docker login --username deploy --password 'key-20e217b394827298382c43ffbe3ce996' registry.example.net # upstream_auth_15
curl -fsS -H 'SUMOLOGIC_ACCESS_KEY=HjhsBmBEloELKoh5TyvyZ6Ho1h7RGWMygrMJgysTCu2llUlwpEzHbSsjJZRRQ3P9' https://api.example.net/v1/status
curl -fsS -H 'SNOWFLAKE_PASSWORD=hMQlaHeX5XYfxLVfJi8cZV0m' https://api.example.net/v1/status
curl -fsS -H 'LOGZIO_TOKEN=ljuowokfsugmjtzpXIDTQEKKDBWYIWNL' https://api.example.net/v1/status
curl -fsS -H 'Authorization: Bearer OPRZ_Cn5zTHeMq8xUdkfiC6DNAppHKduiupvahrL' https://api.example.net/v1/status
export AUTH_11='sgp_5fb958861f99c1bf_e109bea4f6997e2a020713ee7310a176d92ce7ac'
curl -fsS -H 'COINBASE_API_SECRET=3rnkWqoAUOqFq6ABmpCGeuyv40RkyT8EcKdXqj0Gg0SvZfT73o1t65_KYXjAbaVZ' https://api.example.net/v1/status
curl -fsS -H 'HUAWEICLOUD_SDK_SK=60BHWFSDZcMxTa5i7BPFbNANq58gMByPfiNTgcWI' https://api.example.net/v1/status
curl -fsS -H 'TRUENAS_API_KEY=4-5Rh92G9pk23FVrzRgL7vOvj0MpvS15INBd71OWlGQjHu00H7Msw8Sup2RDmi8Vye' https://api.example.net/v1/status
curl -fsS -H 'SENDBIRD_API_TOKEN=e29ae719f72a9e2ebf368fe817dcabbfb82489bc' https://api.example.net/v1/status
docker login --username deploy --password 'CCIPRJ_bZRTVCzSiGH91J0mbCOYjb_b07400a56a367809f68aef2f9e14720855260c54' registry.example.net # circleci_token_2
curl -fsS -H 'POSTMARK_SERVER_TOKEN=00674115-4efd-473b-aaae-8c3a44c7d710' https://api.example.net/v1/status
curl -fsS -H 'DSN=prod;UID=app;PWD=vMKEEsucOL5Y9rct' https://api.example.net/v1/status
docker login --username deploy --password 'amzn.mws.a1187455-2d62-4509-a022-6d32b19d7fa6' registry.example.net # aws_mws_key
curl -fsS -H 'SOLANA_PRIVATE_KEY=xjS419oKkSxKNm4MxxMrmkAbn48xwVitBE4h6CXvNdsjUCCa9oVzRSwiKtYSuaBBeZ5FhBFsaotaWTyjvyjc9hQ' https://api.example.net/v1/status
curl -fsS -H 'KRAKEN_PRIVATE_KEY=AAT0Fhgb8C2GzRHOET+h+8pRrH1okm0EZGBfnwPxgkg6jvVZjkzagSfej98Xsx5j8nuMJQZ985VkU+id7HnBNc==' https://api.example.net/v1/status
export ACCESS_19='pul-cbd97811d8b3cb79085ee3cdfe2b364afc78a7a8'
docker login --username deploy --password 'bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tuczvQbjjs3T96a1vhJgKn0eMWredwm4dxd8aAZfKjHDai6OMaviJvU190AvKWS7jNpm8Ee6X2kv8bnGb1PYwFwS2B/wdMiKIlTErhXwIFEaaM6m+4w+bZwcNf+ZtkKsJIguY+xDYjd0aoQQNdy3NNHWn7FKGyNBJlv4Qwu04j3wADuc2K8QD8YRAWn1OUZCRbdXRhuHhVq6+KoIKPbaSFV8nuQaKYjBI5MMacMboVAUEAX7Ye4JQueCh3U6RKBm+z019NnzoruW4eh8Jerfq1A5A0+/N7Z1wjFOfBBHsXaWDRTP1PVxT8EDolHPnxEBnJAkPx0DByEixZiLKq24rbheGPe4jh9A7VilZdr7qXcP7luydu1cr81gWKN2yabTU4nhjbswE8U6/fW5R3qquPVxE4y9NvMUURZ9ivyMXqKi2j7IAeri6XmBa7t3jRv12iT/686MHr71+zTOk1JxoK5qSe7XQS+vhff5tuCtz98HyufBtZeg0ERGUG5XBTrqLg+zr34BEfM3Ey2etmp8R9AIgJD8E8p7ymIB2ZxKxd7ye/NnNv0qVM6yeEqoxgz+YALbY29pNi8cjEZY7KiK8MaiG' registry.example.net # client_auth_8
docker login --username deploy --password 'hf_OrQmiRfT683JUAme2kzUqu1sCgTJHbgdY0' registry.example.net # huggingface_token
export UPSTREAM_AUTH_18='sk-ant-admin01-Qlpm5y9Wpvon1mnWyeNt98CC34tgEGj6N3z0K0vxsvFVawpy4_RQmrtWNyo0wEDyEByePIixtSm71z12FpJQcCmwc4UL2AA'
docker login --username deploy --password 'essu_P+bntGqxr+07mYhAcXrWnBQgkA4+ec+M64aCLC7nttVJMEFQS2387gR1uKh83BwPmQNgTrh9V0L0ybmX' registry.example.net # elastic_api_key
