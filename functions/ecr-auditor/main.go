// Command ecr-auditor is the Lambda function that audits ECR repositories, the registry and images as they change
// or finish a scan.
package main

import "github.com/ecsaudit/ecsaudit/internal/lambdafn"

func main() { lambdafn.Main("EcrAuditor") }
