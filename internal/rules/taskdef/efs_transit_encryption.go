package taskdef

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsaudit/ecsaudit/internal/model"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// EFSTransitEncryption fails a task with an EFS volume whose traffic is not encrypted in transit.
var EFSTransitEncryption = register(&Rule{
	Meta: rule.Meta{
		ID:    "task.efs-transit-encryption",
		Title: "EFS volume is mounted without encryption in transit",
		Description: "Without transit encryption the NFS traffic between the instance and the EFS file system " +
			"crosses the network in clear text, readable and alterable by anyone who can observe it. Transit " +
			"encryption is also required for EFS IAM authorization.",
		Remediation: "Set \"transitEncryption\": \"ENABLED\" in the volume's efsVolumeConfiguration (optionally with " +
			"\"transitEncryptionPort\"), and register a new task definition revision.",
		RemediationURL:    "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-18",
		Severity:          rule.Medium,
		Profile:           rule.Restricted,
		Level:             rule.TaskLevel,
		SecurityControlID: "ECS.18",
		References: []string{
			"https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-18",
			"https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html",
			"https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html",
		},
	},
	Check: func(t *model.TaskDefinition, env *rule.Env) []rule.Result {
		var bad, good []string
		first := -1
		for i := range t.Def.Volumes {
			v := &t.Def.Volumes[i]
			efs := v.EfsVolumeConfiguration
			if efs == nil {
				continue
			}
			label := strconv.Quote(aws.ToString(v.Name))
			if fs := aws.ToString(efs.FileSystemId); fs != "" {
				label += " (file system " + fs + ")"
			}
			if efs.TransitEncryption == ecstypes.EFSTransitEncryptionEnabled {
				good = append(good, label)
				continue
			}
			state := "transitEncryption is " + string(efs.TransitEncryption)
			if efs.TransitEncryption == "" {
				state = "transitEncryption is not set (DISABLED by default)"
			}
			bad = append(bad, label+": "+state)
			if first < 0 {
				first = i
			}
		}
		switch {
		case len(bad) > 0:
			return one(fail(fmt.Sprintf("%s EFS volume(s) without encryption in transit: %s", strconv.Itoa(len(bad)),
				strings.Join(bad, "; ")), "volumes/"+strconv.Itoa(first)+"/efsVolumeConfiguration/transitEncryption"))
		case len(good) > 0:
			return one(pass("every EFS volume enables transit encryption: " + strings.Join(good, ", ")))
		}
		return one(inapplicable("the task has no EFS volume"))
	},
})
