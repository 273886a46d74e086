// Package corpustest checks the shipped rules against real inputs: the task definitions and ECR outputs of the shared
// corpus, read by hand and written down in expectations.json before the code was consulted (see README.md).
// It holds no code of its own; the tests run the command line in-process, exactly as a user would.
package corpustest
