package main

import "net/http"

func newRequest0(req *http.Request) {
	req.Header.Set("X-Jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1X2JiNjFmOTY0NDkiLCJpYXQiOjE3NDUzNzYyODYsImV4cCI6MTc0NTM3OTg4Nn0.wC2CW5HIItJrwg-nTXtSx2CSgmxuijd99FJMnipj983")
}

func newRequest1(req *http.Request) {
	req.Header.Set("X-TwilioKey", "SK60326e836d74139b2368a1f0bd5f5692")
}

func newRequest2(req *http.Request) {
	req.Header.Set("X-ShopifyToken", "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")
}

var header3 = "aws_secret_access_key = ISb2W6vNcU4oGJcg8J0f3A/2gcpATE52+Yll7e69"

func newRequest4(req *http.Request) {
	req.Header.Set("X-GithubToken", "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")
}

func newRequest5(req *http.Request) {
	req.Header.Set("X-GithubToken2", "ghs_nGNjZnmmxeVw19ySABnL387BpgJlA80tKpG8")
}

func newRequest6(req *http.Request) {
	req.Header.Set("X-DigitaloceanToken", "dop_v1_4add5c0c37364f0a5831507e2a5c967d8e7131173f63ec997a48f9715651d199")
}

const githubToken3 = "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"

const githubToken4 = "ghu_ugpzOqFfZKaDRZTYUuxrCBuqXOqb4I3iOOzc"

const githubToken5 = "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"

func newRequest10(req *http.Request) {
	req.Header.Set("X-SendgridApiKey", "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")
}

const npmToken = "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"

const linearApiKey = "lin_api_OytVE05MlVA7gLzWiwmVgHyqqirpZVdbUsc4eKJo"

const huggingfaceToken = "hf_j0MmVMgjaiVmyzp7tCKwPS3bRDA86vp850"

const ageSecretKey = "AGE-SECRET-KEY-1XHQR88AVLF6PX22353LMVWDY0WX0NE37FQ3J5DDE3HUULZ3N23D6TVLYQT"

func newRequest15(req *http.Request) {
	req.Header.Set("X-GithubToken6", "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")
}

