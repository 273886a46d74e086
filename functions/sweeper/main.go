// Command sweeper is the scheduled Lambda function that audits everything in the account and region and archives
// the findings of resources that are gone.
package main

import "github.com/ecsaudit/ecsaudit/internal/lambdafn"

func main() { lambdafn.Main("Sweeper") }
