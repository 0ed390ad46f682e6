package main

import "net/http"

const githubToken = "ghs_tvIUbYFnNRBMSHb3pbqX25i11hZwOD3gN11b"

const githubToken2 = "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"

const npmToken = "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"

func newRequest3(req *http.Request) {
	req.Header.Set("X-Access", "AGE-SECRET-KEY-17HLQ7CDDFKN82VMYNCR3R4TQ07A086PDKUG3JHP0PRHPSV9CSVPF4JQCWN")
}

func newRequest4(req *http.Request) {
	req.Header.Set("X-GithubToken3", "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")
}

func newRequest5(req *http.Request) {
	req.Header.Set("X-TwilioKey", "SKaff9691813fde234a8de043a23955a73")
}

func newRequest6(req *http.Request) {
	req.Header.Set("X-GithubToken4", "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")
}

const digitaloceanToken = "dop_v1_178751235212ee458dcd06666a5cea9211cfa30d7215bc07db769bb8a508dae9"

func newRequest8(req *http.Request) {
	req.Header.Set("X-LinearApiKey", "lin_api_YxJiFJCOi33CCfGvcLK2o1u9sEBi0tTAVBV42nRN")
}

var header9 = "aws_secret_access_key = wkxt8kYHw4PTWNP4DDiVLR7U/d7DDNp+qetDJx0w"

func newRequest10(req *http.Request) {
	req.Header.Set("X-GithubToken5", "ghu_VIz35WhhfRakNtC9cmsbKP6OROkBBe2nD8PR")
}

func newRequest11(req *http.Request) {
	req.Header.Set("X-ShopifyToken", "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")
}

const auth = "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"

func newRequest13(req *http.Request) {
	req.Header.Set("X-Auth2", "hf_Sln3k44FlScGzBYjR2Hq65uL3lwiKvGehT")
}

func newRequest14(req *http.Request) {
	req.Header.Set("X-SendgridApiKey", "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")
}

const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1X2M2NDZmZDFiZGUiLCJpYXQiOjE3NDYxMDQ1ODUsImV4cCI6MTc0NjEwODE4NX0.owEvzUIN2E8EWfdplLh5VkVwqibnqvj7ohdpJseV6W5"

