'use strict';
const { Client } = require('./client');

const anthropicApiKey = 'sk-ant-api03-db9GXn7BDvo9OrtI7cXlKGNoTr3J2a6TRrYFcoYKrg-V1rQDD0lMD8Z8sroAeMQFesdA5YjYSjC4JOGhU2VEnYr_FNdcJAA';
const sendgridApiKey = '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';
const auth = 'lin_api_RoCTfawSSn2E2EoYnJfvrtsJpDeOTFuIOeOGndTX';
const client3 = new Client({ auth2: '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' });
const client4 = new Client({ huggingfaceToken: 'hf_6Qb4DNltHICBDLJqGyMGykrHWh4PLfebDP' });
const githubToken = 'ghs_vgraRoiwZSqD7oErQiENHcnljvLRMN0aPxwv';
const client6 = new Client({ githubToken2: 'ghu_8BMHJRsXi3WxuDHen0z6eWUoguwRmb4RcnKr' });
const header7 = 'aws_secret_access_key = OXZejqajaxOCaHx7OKXcK/ntyVhjfF+hfiOm5GxN';
const client8 = new Client({ shopifyToken: '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' });
const client9 = new Client({ googleApiKey: 'AIza9lXVrfqYFbK1G67mo2vdxNLt0zv1cZwmNJf' });
const client10 = new Client({ digitaloceanToken: 'dop_v1_ae838eed0557210f4a09d4bdafbe8d6868b999c05698f70e295d57e92f405059' });
const twilioKey = 'SK0451f20bd489ba373fa57b8a11cc0781';
const githubToken3 = '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';
const awsAccessKeyId = 'AKIABUFWG34XUX5HXUHE';
const client14 = new Client({ githubToken4: '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' });
