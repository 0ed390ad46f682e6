'use strict';
const { Client } = require('./client');

const privateKey = `-----BEGIN PRIVATE KEY-----
lQxDlF6wPqf1vqlnjstUsM6OwPiTpmxKpzrSK56NCrXlxj4qCvx+eJchoz00Bt18
trYuJ2eacqNbaJj3LriXIeK9no4pGzEgpVKdfD1ZbV/QA8e19IrmLQ1+JVzi2o5u
yzEVIZfv9pPn6V71ggrMZiLgV6l24agR1r87mP3pTbLwEBIKAcTOf0682qXwvD1N
Wu+mXYXrBCArNIkkULNaLjVZx0/4CWP6OzaIQSOtKoZCgs3oGlbPHaED5k/uSTvj
7njaVy3ak8ybzTPRO7dKRIne0BWG9+FFQwm2+S+LwQBxg6PcgP3EJyQEyoq/CKI2
qIkRg+hfytv53tmVE88HdknNi9fIl//XCZsx8dLpo/fiGCYuctpY46Lx04YBEo+b
T4wkO4I2eb4E/jbIMildyKXE==
-----END PRIVATE KEY-----`;
const slackToken = 'xoxb-04561099819-3238267641830-gAWWhGsmywTpFN5mbjZkaYNQ';
const client2 = new Client({ upstreamAuth: 'sk-ant-api03-vs1cINycUdkJnFBEnJxQ3jsLkNiVa-app4jEE3BL0m_Oc62wHeff9sKWqLNH88JQOOr0QMsu_Zof5xuiuyJgs3MV6VMP2AA' });
const npmToken = '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';
const client4 = new Client({ access: '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' });
const ageSecretKey = 'AGE-SECRET-KEY-1RSMWY72MDT9QK09Z3DF9ZV3ZC7LC26RQU7WYKPPQJ748VFTSYXG8MZKAN3';
const client6 = new Client({ credential: 'glpat-nffmJNi_TaaFZv12uATe' });
const client7 = new Client({ googleApiKey: 'AIzaimlJr9UX_84XSDk55sUSHC4MgOvkxcvulzb' });
const sendgridApiKey = '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';
const githubToken = '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';
const client10 = new Client({ githubToken: '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' });
const twilioKey = 'SK8fa7b47ccb023059cfb36f4eef972a77';
const client12 = new Client({ atlassianToken: 'ATATT3bSNrciXAngYX38FE30kXgUc9bjAJLPe2XUDnqPz_8Z7vYtB7wlmv3R21aBmYFSLQNtJod5JVrd17T9UPTKlqEX0uIZqPxAhFiMe8RHe3Vj0TEm_-Ib-v9QE0Dh6MSaWvgaWUXpohhagPSJHGDBIhNWbjJ8UDwEjbK5suWSDEpaZIx2qjuaEY=ABFBB2D0' });
const header13 = 'password=1D1HL!hYomdcsj9';
const header14 = 'aws_secret_access_key = HfcLFq3tCko3Am7Q+SKzIvY24qk/Wz7Z67hPdXgg';
const client15 = new Client({ githubToken: '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' });
const upstreamAuth = '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';
const client17 = new Client({ githubToken: 'ghs_HcIrcNnbX2VQBENk3Tay4FpaH2QRd64eMyhx' });
const client18 = new Client({ shopifyToken: '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' });
const upstreamAuth = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzIxOWMyOGUzYjgiLCJpYXQiOjE3NDc4NzE1NDYsImV4cCI6MTc0Nzg3NTE0Nn0.Cdi4es9qwSp5JNO0QS1riaqBqKjkoA5ejySfYJ01-eZ';
const header20 = 'Authorization: Bearer Nq_VOjkFc0hqv17PLUcRtlWM7KZZH_n556G1z5uu';
const githubToken = 'ghu_NfIbFtNWn0p3ZeuFOrDeEBvr2VBWNg1Cz3ZK';
const client22 = new Client({ upstreamAuth: 'dop_v1_8f4231bbab87d157682bbfb7cd2b392c29d6c91254fb54cc970f5aa8b0b8f76a' });
const awsAccessKeyId = 'AKIAXCUIVWNNMG6AIWXW';
const linearApiKey = 'lin_api_JnUplYU3uT7D42j8DSNJ9Jg25zQFEmHaovN8x1I0';
const access = 'hf_e4F6u0v1wysZrAzEFpDf3zyAB8FE4UqJnb';
