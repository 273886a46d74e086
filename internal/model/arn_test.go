package model

import "testing"

func TestFamilyRevision(t *testing.T) {
	for _, tt := range []struct {
		in     string
		family string
		rev    int
	}{
		{"arn:aws:ecs:us-east-1:111122223333:task-definition/web:12", "web", 12},
		{"web:3", "web", 3},
		{"web", "web", 0},
		{"arn:aws:ecs:us-east-1:111122223333:task-definition/web", "web", 0},
		{"web:latest", "web:latest", 0},
		{"web:+3", "web:+3", 0},
		{"web:-1", "web:-1", 0},
	} {
		if f, r := FamilyRevision(tt.in); f != tt.family || r != tt.rev {
			t.Errorf("FamilyRevision(%q) = %q, %d; want %q, %d", tt.in, f, r, tt.family, tt.rev)
		}
	}
}
