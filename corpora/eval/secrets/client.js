'use strict';
const { Client } = require('./client');

const shopifyToken = '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';
const githubToken = 'ghu_B5iZbG5WcfL9LfVRDG2HSyWm0smHLl0G4WIi';
const header2 = 'aws_secret_access_key = 4BZGnu89oj+YFctv/WtwXHC7CIiPE2v8hW9rzG2a';
const client3 = new Client({ digitaloceanToken: 'dop_v1_49442fc5d05a7e568976c82c15aa1709115a588c579926d6715daa4ae812c39e' });
const githubToken2 = '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';
const client5 = new Client({ credential: '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' });
const client6 = new Client({ linearApiKey: 'lin_api_A98ecs7toaCzlWGJT2oDmcQ1GFWS9vPbYR6metOX' });
const clientAuth = 'SK5658804c1059835fa2ec8eaf11a70a6b';
const googleApiKey = 'AIzabZ4u9rcvdcrgbWb9sDUrXnkIR44__payb5p';
const auth2 = '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';
const huggingfaceToken = 'hf_gnRLXIYmAWfV2EAEmAQLKpbN4FO9FHG0P8';
const client11 = new Client({ clientAuth2: 'AKIA3DMNAYTGGARXZ6MH' });
const client12 = new Client({ githubToken3: 'ghs_pogFrKUwxauoMHtg0KFbf7Yauc7Fwq4M0hiC' });
const client13 = new Client({ githubToken4: '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' });
const anthropicApiKey = 'sk-ant-api03-6y93tOYl2-fMzbCUY6M9ftqmL0ZlPzDEaI424GnNNMF89Jd_MBFaEoYawnDOa9Gamy7QFBstvQPEh-TI7JtIH8--8RofVAA';
