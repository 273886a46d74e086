// Command taskdef-auditor is the Lambda function that audits task definition revisions as they are registered,
// deregistered, deleted or retagged.
package main

import "github.com/ecsaudit/ecsaudit/internal/lambdafn"

func main() { lambdafn.Main("TaskDefinitionAuditor") }
