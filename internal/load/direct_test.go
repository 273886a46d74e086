package load

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/schemas"
	"github.com/aws/smithy-go"
)

// TestDirectTables checks the direct readers' tables against the SDK's schemas: every member is there, under its
// name, and has a code, so that no structure of this SDK release is handed back to the SDK's code for a member the
// direct reader does not know.
func TestDirectTables(t *testing.T) {
	for _, tt := range []struct {
		table  *memberTable
		schema *smithy.Schema
	}{
		{taskTable, schemas.TaskDefinition},
		{containerTable, schemas.ContainerDefinition},
		{keyValueTable, schemas.KeyValuePair},
		{secretTable, schemas.Secret},
		{portMappingTable, schemas.PortMapping},
		{mountPointTable, schemas.MountPoint},
		{volumeFromTable, schemas.VolumeFrom},
		{dependencyTable, schemas.ContainerDependency},
		{logTable, schemas.LogConfiguration},
		{attributeTable, schemas.Attribute},
		{constraintTable, schemas.TaskDefinitionPlacementConstraint},
	} {
		var want []string
		for name := range tt.schema.Members() {
			want = append(want, name)
		}
		got := append([]string(nil), tt.table.names...)
		sort.Strings(want)
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: table %v, schema %v", tt.schema.ID(), got, want)
		}
		seen := map[uint8]bool{}
		for i, name := range tt.table.names {
			code := tt.table.codes[i]
			if code == 0 || seen[code] {
				t.Errorf("%s.%s: code %d", tt.schema.ID(), name, code)
			}
			seen[code] = true
			for _, key := range []string{name, strings.ToUpper(name[:1]) + name[1:], strings.ToUpper(name), strings.ToLower(name)} {
				if got := tt.table.find([]byte(key)); got != i {
					t.Errorf("%s: find(%q) = %d, want %d", tt.schema.ID(), key, got, i)
				}
			}
		}
		for _, key := range []string{"", "x", "nam", "names", "containerDefinitionsx", strings.Repeat("a", 100)} {
			if i := tt.table.find([]byte(key)); i >= 0 {
				t.Errorf("%s: find(%q) = %s", tt.schema.ID(), key, tt.table.names[i])
			}
		}
	}
	if taskTable.names[taskTable.find([]byte("containerDefinitions"))] != "containerDefinitions" ||
		taskContainersBit != 1<<taskTable.find([]byte("containerDefinitions")) {
		t.Fatal("taskContainersBit")
	}
}

// directInputs are inputs where the direct readers must read exactly what the exact path reads, or give up: each
// with whether the fast path reads it.
var directInputs = []struct {
	name, doc string
	fast      bool
}{
	{"plain", `{"family":"w","containerDefinitions":[{"name":"a","image":"x","essential":true,"cpu":0,"memory":512,"memoryReservation":-1}]}`, true},
	{"every common member", `{"family":"w","taskRoleArn":"r","executionRoleArn":"e","networkMode":"awsvpc","revision":3,"status":"ACTIVE",
		"taskDefinitionArn":"arn:aws:ecs:us-east-1:111122223333:task-definition/w:3","registeredBy":"me","pidMode":"host","ipcMode":"task",
		"enableFaultInjection":false,"compatibilities":["EC2","FARGATE"],"requiresCompatibilities":["FARGATE"],
		"requiresAttributes":[{"name":"a","value":"v","targetType":"container-instance","targetId":"t"},null,{}],
		"placementConstraints":[{"type":"memberOf","expression":"x"}],"volumes":[{"name":"v","host":{"sourcePath":"/p"}}],
		"runtimePlatform":{"cpuArchitecture":"ARM64","operatingSystemFamily":"LINUX"},"ephemeralStorage":{"sizeInGiB":21},
		"proxyConfiguration":{"type":"APPMESH","containerName":"envoy","properties":[{"name":"a","value":"b"}]},
		"inferenceAccelerators":[{"deviceName":"d","deviceType":"t"}],
		"containerDefinitions":[{"name":"a","image":"x","command":["a",null,""],"entryPoint":[],"links":["b"],"dnsServers":["1"],
		"dnsSearchDomains":["d"],"dockerSecurityOptions":["no-new-privileges"],"credentialSpecs":["c"],"hostname":"h","user":"0",
		"workingDirectory":"/","disableNetworking":false,"interactive":true,"privileged":false,"pseudoTerminal":true,
		"readonlyRootFilesystem":true,"startTimeout":1,"stopTimeout":2,"versionConsistency":"enabled",
		"dockerLabels":{"a":"b","c":null,"a\u00e9":"d","a":"last"},"environment":[{"name":"A","value":"1"},null,{"name":null,"value":"x"},{}],
		"environmentFiles":[{"type":"s3","value":"arn"}],"secrets":[{"name":"S","valueFrom":"arn"}],
		"portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp","name":"web","appProtocol":"http","containerPortRange":"1-2"},null],
		"mountPoints":[{"sourceVolume":"v","containerPath":"/p","readOnly":true}],"volumesFrom":[{"sourceContainer":"b","readOnly":false}],
		"dependsOn":[{"containerName":"b","condition":"START"}],"extraHosts":[{"hostname":"h","ipAddress":"1.2.3.4"}],
		"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"},"secretOptions":[{"name":"k","valueFrom":"v"}]},
		"healthCheck":{"command":["CMD"],"interval":30},"linuxParameters":{"capabilities":{"drop":["ALL"]},"initProcessEnabled":true},
		"firelensConfiguration":{"type":"fluentbit","options":{"a":"b"}},"repositoryCredentials":{"credentialsParameter":"p"},
		"ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}],"systemControls":[{"namespace":"n","value":"v"}],
		"resourceRequirements":[{"type":"GPU","value":"1"}],"restartPolicy":{"enabled":true,"ignoredExitCodes":[1]}}]}`, true},
	{"folded keys", `{"FAMILY":"w","ContainerDefinitions":[{"NAME":"a","Image":"x","pORTmAPPINGS":[{"ContainerPort":1,"PROTOCOL":"udp"}],
		"Environment":[{"Name":"a","VALUE":"b"}],"LogConfiguration":{"LogDriver":"awslogs","OPTIONS":{"K":"v"}}}]}`, true},
	{"unknown members", `{"x":{"a":[1,2,{"b":null}]},"containerDefinitions":[{"name":"a","extra":[[[]]],"portMappings":[{"x":1,"containerPort":1}],
		"environment":[{"name":"a","other":{}}],"logConfiguration":{"logDriver":"awslogs","z":true}}],"requiresAttributes":[{"name":"a","y":"z"}]}`, true},
	{"nulls", `{"family":null,"cpu":null,"registeredAt":null,"tags":null,"containerDefinitions":[{"name":"a","image":null,"essential":null,
		"memory":null,"environment":null,"logConfiguration":null,"portMappings":[null],"dockerLabels":null,"linuxParameters":null,"ulimits":[null]}]}`, true},
	{"escapes", `{"family":"w\n\t\"\\\/","containerDefinitions":[{"name":"\u00e9\ud83d\ude00","image":"a\u0000b",
		"command":["\ud800","x\"y"],"environment":[{"name":"\u0041","value":"\b\f\r"}]}]}`, true},
	{"non-ASCII and invalid UTF-8", "{\"containerDefinitions\":[{\"name\":\"\xe9t\xc3\xa9\",\"command\":[\"\xff\xfe\"]}]}", true},
	{"long strings", `{"containerDefinitions":[{"name":"` + strings.Repeat("abcdefgh", 40) + `","command":["` + strings.Repeat("x", 17) + `\n` + strings.Repeat("y", 9) + `"]}]}`, true},
	{"pretty", "{\n\t\"containerDefinitions\" :\r\n [ {\n                   \"name\"  :  \"a\" ,\n      \"cpu\":\t1 }\n ]\n}\n\n", true},
	{"cpu and memory as numbers", `{"cpu":256,"memory":1.5e3,"containerDefinitions":[{"name":"a"}]}`, true},
	{"timestamps", `{"registeredAt":1700000000.5,"deregisteredAt":"2024-01-02T03:04:05Z","deleteRequestedAt":{"__class__":"datetime","year":2024,"month":1,"day":2,"hour":3,"minute":4,"second":5,"microsecond":6},"containerDefinitions":[{"name":"a"}]}`, true},
	{"timestamp in milliseconds", `{"registeredAt":1700000000123,"deregisteredAt":-5,"containerDefinitions":[{"name":"a"}]}`, true},
	{"tags as a list", `{"containerDefinitions":[{"name":"a"}],"tags":[{"key":"a","value":"1"},{"Key":"b","VALUE":"2","x":[1]},null,{"value":"no key"},{"key":"c"},{"key":"a","value":"again"}]}`, true},
	{"tags as a map", `{"containerDefinitions":[{"name":"a"}],"tags":{"a":"1","b":null,"\u00e9":"x","a":"2"}}`, true},
	{"tags with a member twice", `{"containerDefinitions":[{"name":"a"}],"tags":[{"key":"a","key":"b","value":"v","value":null},{"key":"c","key":null,"value":"w"}]}`, true},
	{"tags, empty", `{"containerDefinitions":[{"name":"a"}],"tags":[]}`, true},
	{"tags, escaped member name", `{"containerDefinitions":[{"name":"a"}],"tags":[{"k\u0065y":"a","value":"v"}]}`, true},
	{"tags, non-ASCII member name", "{\"containerDefinitions\":[{\"name\":\"a\"}],\"tags\":[{\"\u212aey\":\"a\",\"value\":\"v\"}]}", true},
	{"wrapped with tags", `{"taskDefinition":{"containerDefinitions":[{"name":"a"}],"tags":{"own":"1"}},"tags":[{"key":"wrapper","value":"2"}]}`, true},
	{"tags, wrong type", `{"containerDefinitions":[{"name":"a"}],"tags":"a"}`, false},
	{"tags, wrong element", `{"containerDefinitions":[{"name":"a"}],"tags":[1]}`, false},
	{"tags, number value", `{"containerDefinitions":[{"name":"a"}],"tags":[{"key":"a","value":1}]}`, false},
	{"tags, number in map", `{"containerDefinitions":[{"name":"a"}],"tags":{"a":1}}`, false},
	{"tags twice", `{"containerDefinitions":[{"name":"a"}],"tags":{},"Tags":{}}`, false},
	{"bare list", `[{"name":"a","image":"x"},{"name":"b","containerDefinitions":[]}]`, true},
	{"bare list of task definitions", `[{"containerDefinitions":[{"name":"a"}]}]`, false},
	{"bare list, null", `[null]`, false},
	{"bare list, null second", `[{"name":"a"},null]`, false},
	{"bare list, empty", `[]`, false},
	{"duplicate member", `{"containerDefinitions":[{"name":"a","name":"b"}]}`, false},
	{"duplicate member, folded", `{"containerDefinitions":[{"name":"a","NAME":"b"}]}`, false},
	{"duplicate member, null first", `{"containerDefinitions":[{"image":null,"image":"b"}]}`, false},
	{"duplicate member in a list element", `{"containerDefinitions":[{"portMappings":[{"hostPort":1,"HostPort":2}]}]}`, false},
	{"duplicate member in a task definition", `{"family":"a","containerDefinitions":[{"name":"a"}],"Family":"b"}`, false},
	{"duplicate containerDefinitions", `{"containerDefinitions":[{"name":"a"}],"containerDefinitions":[{"name":"b"}]}`, false},
	{"escaped member name", `{"containerDefinitions":[{"n\u0061me":"a"}]}`, false},
	{"non-ASCII member name", "{\"containerDefinitions\":[{\"\u017fecrets\":[]}]}", false},
	{"int32 out of range", `{"containerDefinitions":[{"name":"a","memory":2147483648}]}`, false},
	{"int32 out of range, negative", `{"containerDefinitions":[{"name":"a","cpu":-2147483649}]}`, false},
	{"int32 fraction", `{"containerDefinitions":[{"name":"a","memory":1.0}]}`, false},
	{"int32 exponent", `{"containerDefinitions":[{"name":"a","portMappings":[{"containerPort":1e2}]}]}`, false},
	{"int32 as string", `{"containerDefinitions":[{"name":"a","memory":"512"}]}`, false},
	{"revision out of range", `{"revision":99999999999,"containerDefinitions":[{"name":"a"}]}`, false},
	{"bool as string", `{"containerDefinitions":[{"name":"a","essential":"true"}]}`, false},
	{"string as number", `{"containerDefinitions":[{"name":1}]}`, false},
	{"list as string", `{"containerDefinitions":[{"name":"a","command":"x"}]}`, false},
	{"list of numbers", `{"containerDefinitions":[{"name":"a","command":[1]}]}`, false},
	{"list as object", `{"containerDefinitions":[{"name":"a","environment":{}}]}`, false},
	{"element as number", `{"containerDefinitions":[{"name":"a","environment":[1]}]}`, false},
	{"struct as list", `{"containerDefinitions":[{"name":"a","logConfiguration":[]}]}`, false},
	{"map value as number", `{"containerDefinitions":[{"name":"a","dockerLabels":{"a":1}}]}`, false},
	{"enum as number", `{"networkMode":1,"containerDefinitions":[{"name":"a"}]}`, false},
	{"cpu as bool", `{"cpu":true,"containerDefinitions":[{"name":"a"}]}`, false},
	{"cpu out of range", `{"cpu":1e999,"containerDefinitions":[{"name":"a"}]}`, false},
	{"timestamp empty", `{"registeredAt":"","containerDefinitions":[{"name":"a"}]}`, false},
	{"timestamp out of range", `{"registeredAt":1e999,"containerDefinitions":[{"name":"a"}]}`, false},
	{"timestamp as bool", `{"registeredAt":true,"containerDefinitions":[{"name":"a"}]}`, false},
	{"union member", `{"containerDefinitions":[{"name":"a","resourceRequirements":[{"type":"GPU","value":"1","sharingStrategy":{"nvidiaMps":{}}}]}]}`, false},
	{"unknown enum value", `{"containerDefinitions":[{"name":"a","logConfiguration":{"logDriver":"x"}}]}`, false},
	{"trailing comma in object", `{"containerDefinitions":[{"name":"a",}]}`, false},
	{"trailing comma in list", `{"containerDefinitions":[{"name":"a","command":["x",]}]}`, false},
	{"trailing comma in map", `{"containerDefinitions":[{"name":"a","dockerLabels":{"a":"b",}}]}`, false},
	{"leading comma in object", `{"containerDefinitions":[{,"name":"a"}]}`, false},
	{"missing colon", `{"containerDefinitions":[{"name" "a"}]}`, false},
	{"bad literal", `{"containerDefinitions":[{"name":"a","essential":tru}]}`, false},
	{"bad null", `{"containerDefinitions":[{"name":nul}]}`, false},
	{"control character", "{\"containerDefinitions\":[{\"name\":\"a\x01\"}]}", false},
	{"unterminated string", `{"containerDefinitions":[{"name":"a`, false},
}

func TestDirectMatchesExact(t *testing.T) {
	for _, tt := range directInputs {
		t.Run(tt.name, func(t *testing.T) {
			if got := compareFastExact(t, tt.name, []byte(tt.doc)); got != tt.fast {
				t.Fatalf("fast path read it: %v, want %v", got, tt.fast)
			}
			if tt.fast && tt.doc[0] == '{' && !strings.Contains(tt.doc, "taskDefinition") {
				// Wrapped, recorded and as an AWS Config item, the task definition takes the same readers.
				for _, doc := range []string{`{"taskDefinition":` + tt.doc + `}`, `{"status_code":200,"data":{"taskDefinition":` + tt.doc + `}}`} {
					if !compareFastExact(t, tt.name, []byte(doc)) {
						t.Fatalf("fast path left it to the exact path: %s", doc)
					}
				}
			}
		})
	}
}

// TestDirectRestart holds the hand-over of a whole structure to the SDK's code (for a member of a newer SDK than
// the direct reader knows) to reading exactly what the exact path reads, at every level that has one.
func TestDirectRestart(t *testing.T) {
	docs := []string{
		`{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a","image":"x","environment":[{"name":"a","value":"b"}],
			"portMappings":[{"containerPort":1}],"logConfiguration":{"logDriver":"awslogs","options":{"a":"b"}}}],
			"tags":[{"key":"own","value":"1"}]},"tags":{"wrapper":"2"}}`,
		`{"status_code":200,"data":{"taskDefinition":{"family":"w","containerDefinitions":[{"name":"a","image":"x"}]}}}`,
		`{"family":"w","tags":{"a":"b"},"containerDefinitions":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}`,
		`[{"name":"a","image":"x","environment":[{"name":"a","value":"b"}]},{"name":"b","image":"y"}]`,
	}
	for _, tt := range []struct {
		table  *memberTable
		member string
	}{
		{taskTable, "family"},
		{containerTable, "image"},
		{keyValueTable, "value"},
		{portMappingTable, "containerPort"},
		{logTable, "options"},
	} {
		i := tt.table.find([]byte(tt.member))
		code := tt.table.codes[i]
		tt.table.codes[i] = 0
		for _, doc := range docs {
			if !compareFastExact(t, tt.member, []byte(doc)) && strings.Contains(doc, `"`+tt.member+`"`) {
				t.Errorf("%s: the fast path gave up on %s", tt.member, doc)
			}
		}
		tt.table.codes[i] = code
	}
}

// TestReadTags holds readTags to tagList.UnmarshalJSON directly, on the inputs it reads and those it leaves.
func TestReadTags(t *testing.T) {
	for _, tt := range []struct {
		in   string
		read bool
	}{
		{`null`, true},
		{`{}`, true},
		{`[]`, true},
		{`{"a":"1","b":null,"a":"2","\u00e9\n":"x"}`, true},
		{`[{"key":"a","value":"1"},{"Key":"b"},{"KEY":"c","Value":null},null,{"value":"v"},{"key":null,"value":"w"},{"key":"a","value":"3"}]`, true},
		{`[{"key":"a","key":"b","x":{"key":"c"}},{"key":"d","key":null}]`, true},
		{`[{"k\u0065y":"a"}]`, false},
		{`[{"key":1}]`, false},
		{`[1]`, false},
		{`{"a":1}`, false},
		{`"a"`, false},
		{`1`, false},
		{`[{"key":"a"},]`, false},
		{`{"a":"b",}`, false},
		{`[{"key":"a",}]`, false},
		{`[{"key":"a"`, false},
		{`nul`, false},
	} {
		r := newShapeReader([]byte(tt.in))
		got, ok := r.readTags()
		ok = ok && r.end()
		r.release()
		if ok != tt.read {
			t.Errorf("readTags(%s) read it: %v, want %v", tt.in, ok, tt.read)
			continue
		}
		var want tagList
		err := want.UnmarshalJSON([]byte(tt.in))
		if ok && (err != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("readTags(%s) = %v; UnmarshalJSON: %v, %v", tt.in, got, want, err)
		}
	}
}

// TestReaderReset checks that a reader given back keeps nothing of its input: every field is cleared but the list
// buffers (empty) and seenBuf (schemas only).
func TestReaderReset(t *testing.T) {
	for _, tt := range directInputs {
		for _, doc := range []string{tt.doc, `{"taskDefinition":` + tt.doc + `,"tags":{"a":"b"}}`} {
			r := newShapeReader([]byte(doc))
			if r.peek() == '{' {
				r.readTask(&r.root.bare, &r.root)
			} else {
				r.readContainers()
			}
			r.reset()
			want := shapeReader{listBuffers: r.listBuffers, seenBuf: r.seenBuf}
			if !reflect.DeepEqual(*r, want) {
				t.Fatalf("%s: reset left %+v", tt.name, *r)
			}
			v := reflect.ValueOf(r.listBuffers)
			for i := range v.NumField() {
				if v.Field(i).Len() != 0 {
					t.Fatalf("%s: list buffer %s not empty", tt.name, v.Type().Field(i).Name)
				}
			}
		}
	}
}
