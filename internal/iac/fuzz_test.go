package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ecsaudit/ecsaudit/internal/catalog"
	"github.com/ecsaudit/ecsaudit/internal/config"
	"github.com/ecsaudit/ecsaudit/internal/engine"
	"github.com/ecsaudit/ecsaudit/internal/load"
	"github.com/ecsaudit/ecsaudit/internal/rule"
)

// FuzzRead reads an arbitrary file as a template or plan and judges what it holds: never a panic, an error naming
// the file or resources whose every finding has a status.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtures, "*", "*"))
	more, _ := filepath.Glob(filepath.Join(fixtures, "cdk", "cdk.out", "*.json"))
	for _, p := range append(seeds, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions: [{Name: a, Image: !Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/x:${Tag}'}]\nParameters: {Tag: {Type: String}}\n"))
	f.Add([]byte("Conditions:\n  C: !Equals [!Ref P, x]\nParameters: {P: {Type: String}}\nResources:\n  T:\n    Type: AWS::ECR::Repository\n    Properties:\n      ImageTagMutability: !If [C, MUTABLE, IMMUTABLE]\n      Tags: !If [C, [{Key: a, Value: b}], !Ref AWS::NoValue]\n"))
	eng := engine.New(catalog.Default(), config.Default())
	valid := map[rule.Status]bool{rule.Failed: true, rule.Passed: true, rule.NotApplicable: true, rule.NotAvailable: true, rule.Suppressed: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		if fm, _ := Detect(data); fm == None {
			return
		}
		rs, err := Read(load.NewSet(load.Options{}), Options{}, "f", data)
		if err != nil {
			if len(err.Error()) < 3 || err.Error()[:3] != "f: " {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, f := range Judge(eng, rs, evalTime) {
			if !valid[f.Status] {
				t.Fatalf("finding %s has status %q", f.ID(), f.Status)
			}
			if _, err := json.Marshal(f); err != nil {
				t.Fatal(err)
			}
		}
	})
}
