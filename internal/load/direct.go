package load

import (
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs/schemas"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
)

// The structures nearly every task definition has (the task definition itself, its containers and their common
// members) are read here directly, not through the SDK's generated Deserialize methods: those cost a closure call,
// a schema look-up and, for every pointer field, an allocation of its own. The direct readers read a member exactly
// as the shapeReader and the SDK's code would, and hand everything else on: members of rare or nested types to
// the SDK's Deserialize for that member (over the same shapeReader), a structure with a member they do not know
// (a newer SDK's) to the SDK's Deserialize for the whole structure, read again from its start, and anything odd
// to the exact path, as the rest of the fast path does.

// memberTable is the members of one SDK structure, for matching keys as encoding/json matches them to fields.
type memberTable struct {
	names []string
	// codes says how the direct reader reads each member; 0 (a member it does not know) hands the whole
	// structure to the SDK.
	codes []uint8
	// byLen indexes the names by length: a key is compared only with the names as long as it is.
	byLen [][]uint8
}

// newMemberTable builds the table of a structure from its schema. codes gives the code of each member the
// direct reader knows. A structure with more members than a seen-set holds is left to the SDK.
func newMemberTable(s *smithy.Schema, codes map[*smithy.Schema]uint8) *memberTable {
	t := &memberTable{}
	if len(s.Members()) > 64 {
		return t
	}
	for name, m := range s.Members() {
		t.names = append(t.names, name)
		t.codes = append(t.codes, codes[m])
	}
	for i, name := range t.names {
		for len(t.byLen) <= len(name) {
			t.byLen = append(t.byLen, nil)
		}
		t.byLen[len(name)] = append(t.byLen[len(name)], uint8(i))
	}
	return t
}

// find returns the index of the member a key names, or -1. A key names a member if it is the member's name
// ignoring ASCII case; no two members fold to the same name (fast_test.go checks that), so the first match is
// encoding/json's. A key written exactly as the name, the common case, is found by the first loop.
func (t *memberTable) find(key []byte) int {
	if len(key) >= len(t.byLen) {
		return -1
	}
	b := t.byLen[len(key)]
	for _, i := range b {
		if string(key) == t.names[i] {
			return int(i)
		}
	}
	for _, i := range b {
		if equalFold(key, t.names[i]) {
			return int(i)
		}
	}
	return -1
}

// Member codes, one space for all the directly read structures.
const (
	_ uint8 = iota
	// TaskDefinition
	tdCompatibilities
	tdContainerDefinitions
	tdCpu
	tdDeleteRequestedAt
	tdDeregisteredAt
	tdEnableFaultInjection
	tdEphemeralStorage
	tdExecutionRoleArn
	tdFamily
	tdInferenceAccelerators
	tdIpcMode
	tdMemory
	tdNetworkMode
	tdPidMode
	tdPlacementConstraints
	tdProxyConfiguration
	tdRegisteredAt
	tdRegisteredBy
	tdRequiresAttributes
	tdRequiresCompatibilities
	tdRevision
	tdRuntimePlatform
	tdStatus
	tdTaskDefinitionArn
	tdTaskRoleArn
	tdVolumes
	// ContainerDefinition
	cdCommand
	cdCpu
	cdCredentialSpecs
	cdDependsOn
	cdDisableNetworking
	cdDnsSearchDomains
	cdDnsServers
	cdDockerLabels
	cdDockerSecurityOptions
	cdEntryPoint
	cdEnvironment
	cdEnvironmentFiles
	cdEssential
	cdExtraHosts
	cdFirelensConfiguration
	cdHealthCheck
	cdHostname
	cdImage
	cdInteractive
	cdLinks
	cdLinuxParameters
	cdLogConfiguration
	cdMemory
	cdMemoryReservation
	cdMountPoints
	cdName
	cdPortMappings
	cdPrivileged
	cdPseudoTerminal
	cdReadonlyRootFilesystem
	cdRepositoryCredentials
	cdResourceRequirements
	cdRestartPolicy
	cdSecrets
	cdStartTimeout
	cdStopTimeout
	cdSystemControls
	cdUlimits
	cdUser
	cdVersionConsistency
	cdVolumesFrom
	cdWorkingDirectory
	// The members of the smaller structures.
	kvName
	kvValue
	secretName
	secretValueFrom
	pmAppProtocol
	pmContainerPort
	pmContainerPortRange
	pmHostPort
	pmName
	pmProtocol
	mpContainerPath
	mpReadOnly
	mpSourceVolume
	vfReadOnly
	vfSourceContainer
	depCondition
	depContainerName
	logDriver
	logOptions
	logSecretOptions
	attrName
	attrTargetID
	attrTargetType
	attrValue
	pcExpression
	pcType
)

var (
	taskTable = newMemberTable(schemas.TaskDefinition, map[*smithy.Schema]uint8{
		schemas.TaskDefinition_compatibilities:         tdCompatibilities,
		schemas.TaskDefinition_containerDefinitions:    tdContainerDefinitions,
		schemas.TaskDefinition_cpu:                     tdCpu,
		schemas.TaskDefinition_deleteRequestedAt:       tdDeleteRequestedAt,
		schemas.TaskDefinition_deregisteredAt:          tdDeregisteredAt,
		schemas.TaskDefinition_enableFaultInjection:    tdEnableFaultInjection,
		schemas.TaskDefinition_ephemeralStorage:        tdEphemeralStorage,
		schemas.TaskDefinition_executionRoleArn:        tdExecutionRoleArn,
		schemas.TaskDefinition_family:                  tdFamily,
		schemas.TaskDefinition_inferenceAccelerators:   tdInferenceAccelerators,
		schemas.TaskDefinition_ipcMode:                 tdIpcMode,
		schemas.TaskDefinition_memory:                  tdMemory,
		schemas.TaskDefinition_networkMode:             tdNetworkMode,
		schemas.TaskDefinition_pidMode:                 tdPidMode,
		schemas.TaskDefinition_placementConstraints:    tdPlacementConstraints,
		schemas.TaskDefinition_proxyConfiguration:      tdProxyConfiguration,
		schemas.TaskDefinition_registeredAt:            tdRegisteredAt,
		schemas.TaskDefinition_registeredBy:            tdRegisteredBy,
		schemas.TaskDefinition_requiresAttributes:      tdRequiresAttributes,
		schemas.TaskDefinition_requiresCompatibilities: tdRequiresCompatibilities,
		schemas.TaskDefinition_revision:                tdRevision,
		schemas.TaskDefinition_runtimePlatform:         tdRuntimePlatform,
		schemas.TaskDefinition_status:                  tdStatus,
		schemas.TaskDefinition_taskDefinitionArn:       tdTaskDefinitionArn,
		schemas.TaskDefinition_taskRoleArn:             tdTaskRoleArn,
		schemas.TaskDefinition_volumes:                 tdVolumes,
	})
	containerTable = newMemberTable(schemas.ContainerDefinition, map[*smithy.Schema]uint8{
		schemas.ContainerDefinition_command:                cdCommand,
		schemas.ContainerDefinition_cpu:                    cdCpu,
		schemas.ContainerDefinition_credentialSpecs:        cdCredentialSpecs,
		schemas.ContainerDefinition_dependsOn:              cdDependsOn,
		schemas.ContainerDefinition_disableNetworking:      cdDisableNetworking,
		schemas.ContainerDefinition_dnsSearchDomains:       cdDnsSearchDomains,
		schemas.ContainerDefinition_dnsServers:             cdDnsServers,
		schemas.ContainerDefinition_dockerLabels:           cdDockerLabels,
		schemas.ContainerDefinition_dockerSecurityOptions:  cdDockerSecurityOptions,
		schemas.ContainerDefinition_entryPoint:             cdEntryPoint,
		schemas.ContainerDefinition_environment:            cdEnvironment,
		schemas.ContainerDefinition_environmentFiles:       cdEnvironmentFiles,
		schemas.ContainerDefinition_essential:              cdEssential,
		schemas.ContainerDefinition_extraHosts:             cdExtraHosts,
		schemas.ContainerDefinition_firelensConfiguration:  cdFirelensConfiguration,
		schemas.ContainerDefinition_healthCheck:            cdHealthCheck,
		schemas.ContainerDefinition_hostname:               cdHostname,
		schemas.ContainerDefinition_image:                  cdImage,
		schemas.ContainerDefinition_interactive:            cdInteractive,
		schemas.ContainerDefinition_links:                  cdLinks,
		schemas.ContainerDefinition_linuxParameters:        cdLinuxParameters,
		schemas.ContainerDefinition_logConfiguration:       cdLogConfiguration,
		schemas.ContainerDefinition_memory:                 cdMemory,
		schemas.ContainerDefinition_memoryReservation:      cdMemoryReservation,
		schemas.ContainerDefinition_mountPoints:            cdMountPoints,
		schemas.ContainerDefinition_name:                   cdName,
		schemas.ContainerDefinition_portMappings:           cdPortMappings,
		schemas.ContainerDefinition_privileged:             cdPrivileged,
		schemas.ContainerDefinition_pseudoTerminal:         cdPseudoTerminal,
		schemas.ContainerDefinition_readonlyRootFilesystem: cdReadonlyRootFilesystem,
		schemas.ContainerDefinition_repositoryCredentials:  cdRepositoryCredentials,
		schemas.ContainerDefinition_resourceRequirements:   cdResourceRequirements,
		schemas.ContainerDefinition_restartPolicy:          cdRestartPolicy,
		schemas.ContainerDefinition_secrets:                cdSecrets,
		schemas.ContainerDefinition_startTimeout:           cdStartTimeout,
		schemas.ContainerDefinition_stopTimeout:            cdStopTimeout,
		schemas.ContainerDefinition_systemControls:         cdSystemControls,
		schemas.ContainerDefinition_ulimits:                cdUlimits,
		schemas.ContainerDefinition_user:                   cdUser,
		schemas.ContainerDefinition_versionConsistency:     cdVersionConsistency,
		schemas.ContainerDefinition_volumesFrom:            cdVolumesFrom,
		schemas.ContainerDefinition_workingDirectory:       cdWorkingDirectory,
	})
	keyValueTable = newMemberTable(schemas.KeyValuePair, map[*smithy.Schema]uint8{
		schemas.KeyValuePair_name:  kvName,
		schemas.KeyValuePair_value: kvValue,
	})
	secretTable = newMemberTable(schemas.Secret, map[*smithy.Schema]uint8{
		schemas.Secret_name:      secretName,
		schemas.Secret_valueFrom: secretValueFrom,
	})
	portMappingTable = newMemberTable(schemas.PortMapping, map[*smithy.Schema]uint8{
		schemas.PortMapping_appProtocol:        pmAppProtocol,
		schemas.PortMapping_containerPort:      pmContainerPort,
		schemas.PortMapping_containerPortRange: pmContainerPortRange,
		schemas.PortMapping_hostPort:           pmHostPort,
		schemas.PortMapping_name:               pmName,
		schemas.PortMapping_protocol:           pmProtocol,
	})
	mountPointTable = newMemberTable(schemas.MountPoint, map[*smithy.Schema]uint8{
		schemas.MountPoint_containerPath: mpContainerPath,
		schemas.MountPoint_readOnly:      mpReadOnly,
		schemas.MountPoint_sourceVolume:  mpSourceVolume,
	})
	volumeFromTable = newMemberTable(schemas.VolumeFrom, map[*smithy.Schema]uint8{
		schemas.VolumeFrom_readOnly:        vfReadOnly,
		schemas.VolumeFrom_sourceContainer: vfSourceContainer,
	})
	dependencyTable = newMemberTable(schemas.ContainerDependency, map[*smithy.Schema]uint8{
		schemas.ContainerDependency_condition:     depCondition,
		schemas.ContainerDependency_containerName: depContainerName,
	})
	logTable = newMemberTable(schemas.LogConfiguration, map[*smithy.Schema]uint8{
		schemas.LogConfiguration_logDriver:     logDriver,
		schemas.LogConfiguration_options:       logOptions,
		schemas.LogConfiguration_secretOptions: logSecretOptions,
	})
	attributeTable = newMemberTable(schemas.Attribute, map[*smithy.Schema]uint8{
		schemas.Attribute_name:       attrName,
		schemas.Attribute_targetId:   attrTargetID,
		schemas.Attribute_targetType: attrTargetType,
		schemas.Attribute_value:      attrValue,
	})
	constraintTable = newMemberTable(schemas.TaskDefinitionPlacementConstraint, map[*smithy.Schema]uint8{
		schemas.TaskDefinitionPlacementConstraint_expression: pcExpression,
		schemas.TaskDefinitionPlacementConstraint_type:       pcType,
	})
)

// taskContainersBit is containerDefinitions in the seen-set of a task definition: a top-level object that has it,
// even null, is a bare task definition.
var taskContainersBit = uint64(1) << max(taskTable.find([]byte("containerDefinitions")), 0)

// object is the state of one JSON object being read directly.
type object struct {
	// start is where the object begins, for reading it again with the SDK's code.
	start   int
	started bool
	// seen holds the members read so far, by index in the memberTable: a member met twice goes to the exact path.
	seen uint64
	// probe is set on the first container of a bare list, which must not have containerDefinitions (readArray).
	probe bool
}

// Results of member besides a member's index.
const (
	memberEnd   = -1 // the end of the object
	memberOther = -2 // a key that is no member of the structure; its value is still to be read
)

// open starts reading an object.
func (r *shapeReader) open(o *object) bool {
	if r.peek() != '{' {
		return false
	}
	o.start = r.i
	r.i++
	return true
}

// member reads the next key of an object and its colon, and returns the index in t of the member it names,
// memberEnd or memberOther (with the key). Members set to null are passed over, as encoding/json leaves them
// unset, once marked seen.
func (r *shapeReader) member(o *object, t *memberTable) (int, []byte, bool) {
	for {
		c := r.peek()
		if o.started {
			if c == '}' {
				r.i++
				return memberEnd, nil, true
			}
			if c != ',' {
				return 0, nil, false
			}
			r.i++
			c = r.peek()
		} else {
			o.started = true
			if c == '}' {
				r.i++
				return memberEnd, nil, true
			}
		}
		if c != '"' {
			return 0, nil, false
		}
		a, b, esc, high, ok := r.str()
		if !ok || esc || high || r.peek() != ':' {
			// encoding/json folds non-ASCII names by Unicode rules, and unescapes names; leave those to it.
			return 0, nil, false
		}
		r.i++
		key := r.data[a:b]
		i := t.find(key)
		if i < 0 {
			if o.probe && string(key) == "containerDefinitions" {
				return 0, nil, false
			}
			return memberOther, key, true
		}
		if o.seen&(1<<i) != 0 {
			return 0, nil, false
		}
		o.seen |= 1 << i
		if r.peek() == 'n' {
			if !r.literal("null") {
				return 0, nil, false
			}
			continue
		}
		return i, key, true
	}
}

// readObject reads an object of the structure t describes into v. member reads the value of the member with the
// given code and reports whether it could; known is false for a code it does not read, and the whole object is
// then read again by the SDK's Deserialize. Keys that name no member are passed over.
func readObject[T any, PT interface {
	*T
	Deserialize(smithy.ShapeDeserializer) error
}](r *shapeReader, o *object, t *memberTable, v PT, member func(code uint8) (ok, known bool)) bool {
	if !r.open(o) {
		return false
	}
	for {
		i, _, ok := r.member(o, t)
		if !ok {
			return false
		}
		switch i {
		case memberEnd:
			return true
		case memberOther:
			ok = r.skip(0)
		default:
			var known bool
			if ok, known = member(t.codes[i]); !known {
				return restart(r, o, v)
			}
		}
		if !ok {
			return false
		}
	}
}

// restart reads the object o again from its start with the SDK's Deserialize for its type.
func restart[T any, PT interface {
	*T
	Deserialize(smithy.ShapeDeserializer) error
}](r *shapeReader, o *object, v PT) bool {
	r.i = o.start
	var zero T
	*v = zero
	r.nextProbe = o.probe
	return v.Deserialize(r) == nil && !r.failed
}

// readText reads a string value.
func (r *shapeReader) readText() (string, bool) {
	if r.peek() != '"' {
		return "", false
	}
	a, b, esc, high, ok := r.str()
	if !ok {
		return "", false
	}
	return r.stringValue(a, b, esc, high)
}

// boolean reads true or false.
func (r *shapeReader) boolean() (bool, bool) {
	switch r.peek() {
	case 't':
		return true, r.literal("true")
	case 'f':
		return false, r.literal("false")
	}
	return false, false
}

// int32Value reads an integer as encoding/json fills an int32 field.
func (r *shapeReader) int32Value() (int32, bool) {
	n, err := r.integer(math.MinInt32, math.MaxInt32)
	return int32(n), err == nil
}

// The SDK's code allocates the target of every pointer field on its own; the direct readers take them from
// backing arrays of a few dozen, shared by the structures of one input, which are kept alive together anyway.

func (r *shapeReader) stringPtr(s string) *string {
	if len(r.stringSlab) == cap(r.stringSlab) {
		r.stringSlab = make([]string, 0, 32)
	}
	r.stringSlab = append(r.stringSlab, s)
	return &r.stringSlab[len(r.stringSlab)-1]
}

func (r *shapeReader) boolPtr(v bool) *bool {
	if len(r.boolSlab) == cap(r.boolSlab) {
		r.boolSlab = make([]bool, 0, 32)
	}
	r.boolSlab = append(r.boolSlab, v)
	return &r.boolSlab[len(r.boolSlab)-1]
}

func (r *shapeReader) int32Ptr(v int32) *int32 {
	if len(r.int32Slab) == cap(r.int32Slab) {
		r.int32Slab = make([]int32, 0, 16)
	}
	r.int32Slab = append(r.int32Slab, v)
	return &r.int32Slab[len(r.int32Slab)-1]
}

// setString reads a string value into a pointer field.
func (r *shapeReader) setString(v **string) bool {
	s, ok := r.readText()
	*v = r.stringPtr(s)
	return ok
}

func (r *shapeReader) setBool(v **bool) bool {
	b, ok := r.boolean()
	*v = r.boolPtr(b)
	return ok
}

func (r *shapeReader) setInt32Ptr(v **int32) bool {
	n, ok := r.int32Value()
	*v = r.int32Ptr(n)
	return ok
}

// enum reads a string value into a field of an SDK enum type.
func enum[E ~string](r *shapeReader, v *E) bool {
	s, ok := r.readText()
	*v = E(s)
	return ok
}

// list reads a JSON array into *v, element by element with elem; a null element is the zero value, as
// encoding/json and the SDK's code leave it. buf is scratch space kept in the reader, so that *v is allocated once,
// at its length; [] gives an empty, non-nil slice. elem reads into buf itself (a local would escape through the
// indirect call), so it must not read a list of the same type: none of these types holds one.
func list[T any](r *shapeReader, buf *[]T, v *[]T, elem func(*T) bool) bool {
	if r.peek() != '[' {
		return false
	}
	r.i++
	var zero T
	ok := r.elements(func() bool {
		*buf = append(*buf, zero)
		if r.peek() == 'n' {
			return r.literal("null")
		}
		return elem(&(*buf)[len(*buf)-1])
	})
	if ok {
		*v = make([]T, len(*buf))
		copy(*v, *buf)
	}
	clear(*buf)
	*buf = (*buf)[:0]
	return ok
}

// elements calls elem for each element of the array whose '[' was read, and reads the ']'.
func (r *shapeReader) elements(elem func() bool) bool {
	if r.peek() == ']' {
		r.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return true
		default:
			return false
		}
	}
}

// sdkList reads a list of a type left to the SDK's Deserialize, element by element, as the SDK's code does.
func sdkList[T any, PT interface {
	*T
	Deserialize(smithy.ShapeDeserializer) error
}](r *shapeReader, v *[]T) bool {
	if r.peek() != '[' {
		return false
	}
	r.i++
	*v = make([]T, 0)
	var zero T
	return r.elements(func() bool {
		*v = append(*v, zero)
		if r.peek() == 'n' {
			return r.literal("null")
		}
		return PT(&(*v)[len(*v)-1]).Deserialize(r) == nil && !r.failed
	})
}

// sdkStruct reads a structure member of a type left to the SDK's Deserialize.
func sdkStruct[T any, PT interface {
	*T
	Deserialize(smithy.ShapeDeserializer) error
}](r *shapeReader, v *PT) bool {
	*v = new(T)
	return (*v).Deserialize(r) == nil && !r.failed
}

// stringList reads a list of strings.
func (r *shapeReader) stringList(v *[]string) bool {
	return list(r, &r.stringBuf, v, func(e *string) bool {
		s, ok := r.readText()
		*e = s
		return ok
	})
}

// stringMap reads a map of strings; a null value is the empty string, and of two equal keys the later wins, as
// with encoding/json and the SDK's code.
func (r *shapeReader) stringMap(v *map[string]string) bool {
	if r.peek() != '{' {
		return false
	}
	r.i++
	m := map[string]string{}
	*v = m
	if r.peek() == '}' {
		r.i++
		return true
	}
	for {
		a, b, esc, high, ok := r.key()
		if !ok {
			return false
		}
		k, ok := r.stringValue(a, b, esc, high)
		if !ok {
			return false
		}
		var val string
		if r.peek() == 'n' {
			if !r.literal("null") {
				return false
			}
		} else if val, ok = r.readText(); !ok {
			return false
		}
		m[k] = val
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return true
		default:
			return false
		}
	}
}

// readTask reads a task definition object as taskJSON does; root is set for a top-level object, whose members
// beyond the SDK type's (extra) say what it is.
func (r *shapeReader) readTask(td *taskDoc, root *rootDoc) bool {
	if len(taskTable.names) == 0 {
		return r.readTaskSDK(td, root)
	}
	var o object
	if !r.open(&o) {
		return false
	}
	v := &td.def
	for {
		i, key, ok := r.member(&o, taskTable)
		if !ok {
			return false
		}
		if i == memberEnd {
			break
		}
		if i == memberOther {
			if !r.extra(td, root, key) {
				return false
			}
			continue
		}
		switch taskTable.codes[i] {
		case tdCompatibilities:
			ok = list(r, &r.compatBuf, &v.Compatibilities, r.readCompatibility)
		case tdContainerDefinitions:
			ok = list(r, &r.containerBuf, &v.ContainerDefinitions, func(e *ecstypes.ContainerDefinition) bool {
				return r.readContainer(e, false)
			})
		case tdCpu:
			ok = r.flexString(&v.Cpu)
		case tdDeleteRequestedAt:
			ok = r.timestamp(&v.DeleteRequestedAt)
		case tdDeregisteredAt:
			ok = r.timestamp(&v.DeregisteredAt)
		case tdEnableFaultInjection:
			ok = r.setBool(&v.EnableFaultInjection)
		case tdEphemeralStorage:
			ok = sdkStruct(r, &v.EphemeralStorage)
		case tdExecutionRoleArn:
			ok = r.setString(&v.ExecutionRoleArn)
		case tdFamily:
			ok = r.setString(&v.Family)
		case tdInferenceAccelerators:
			//lint:ignore SA1019 old task definitions still have them, and the exact path reads them.
			ok = sdkList(r, &v.InferenceAccelerators)
		case tdIpcMode:
			ok = enum(r, &v.IpcMode)
		case tdMemory:
			ok = r.flexString(&v.Memory)
		case tdNetworkMode:
			ok = enum(r, &v.NetworkMode)
		case tdPidMode:
			ok = enum(r, &v.PidMode)
		case tdPlacementConstraints:
			ok = list(r, &r.constraintBuf, &v.PlacementConstraints, r.readConstraint)
		case tdProxyConfiguration:
			ok = sdkStruct(r, &v.ProxyConfiguration)
		case tdRegisteredAt:
			ok = r.timestamp(&v.RegisteredAt)
		case tdRegisteredBy:
			ok = r.setString(&v.RegisteredBy)
		case tdRequiresAttributes:
			ok = list(r, &r.attributeBuf, &v.RequiresAttributes, r.readAttribute)
		case tdRequiresCompatibilities:
			ok = list(r, &r.compatBuf, &v.RequiresCompatibilities, r.readCompatibility)
		case tdRevision:
			ok = r.setInt32(&v.Revision)
		case tdRuntimePlatform:
			ok = sdkStruct(r, &v.RuntimePlatform)
		case tdStatus:
			ok = enum(r, &v.Status)
		case tdTaskDefinitionArn:
			ok = r.setString(&v.TaskDefinitionArn)
		case tdTaskRoleArn:
			ok = r.setString(&v.TaskRoleArn)
		case tdVolumes:
			ok = sdkList(r, &v.Volumes)
		default:
			// A member of a newer SDK: read the whole object with the SDK's code, forgetting what extra saw.
			r.i = o.start
			*td = taskDoc{}
			if root != nil {
				*root = rootDoc{nested: root.nested}
			}
			return r.readTaskSDK(td, root)
		}
		if !ok {
			return false
		}
	}
	if root != nil && o.seen&taskContainersBit != 0 {
		root.containers = true
	}
	return true
}

// readTaskSDK reads a task definition object with the SDK's Deserialize.
func (r *shapeReader) readTaskSDK(td *taskDoc, root *rootDoc) bool {
	r.nextTask, r.nextRoot = td, root
	return td.def.Deserialize(r) == nil && !r.failed
}

func (r *shapeReader) setInt32(v *int32) bool {
	n, ok := r.int32Value()
	*v = n
	return ok
}

// flexString reads a task definition's cpu or memory, which may be a number, kept as written (flexString).
func (r *shapeReader) flexString(v **string) bool {
	c := r.peek()
	if c == '"' {
		return r.setString(v)
	}
	if c != '-' && !isDigit(c) {
		return false
	}
	a, b, _, ok := r.number()
	if !ok {
		return false
	}
	if _, err := strconv.ParseFloat(r.text[a:b], 64); err != nil {
		return false
	}
	*v = r.stringPtr(r.text[a:b])
	return true
}

// timestamp reads a timestamp as flexTime does; a number, as the AWS CLI prints it, without going through bytes.
func (r *shapeReader) timestamp(v **time.Time) bool {
	if c := r.peek(); c == '-' || isDigit(c) {
		a, b, _, ok := r.number()
		if !ok {
			return false
		}
		n, err := strconv.ParseFloat(r.text[a:b], 64)
		if err != nil {
			return false
		}
		t := epoch(n)
		*v = &t
		return true
	}
	raw, ok := r.span()
	var ft flexTime
	if !ok || ft.UnmarshalJSON(raw) != nil || ft.t == nil {
		// An empty string leaves flexTime unset where the SDK's code would set the field: exact path.
		return false
	}
	*v = ft.t
	return true
}

// readContainer reads a container definition.
func (r *shapeReader) readContainer(v *ecstypes.ContainerDefinition, probe bool) bool {
	if len(containerTable.names) == 0 {
		r.nextProbe = probe
		return v.Deserialize(r) == nil && !r.failed
	}
	return readObject(r, &object{probe: probe}, containerTable, v, func(code uint8) (bool, bool) {
		switch code {
		case cdCommand:
			return r.stringList(&v.Command), true
		case cdCpu:
			return r.setInt32(&v.Cpu), true
		case cdCredentialSpecs:
			return r.stringList(&v.CredentialSpecs), true
		case cdDependsOn:
			return list(r, &r.dependencyBuf, &v.DependsOn, r.readDependency), true
		case cdDisableNetworking:
			return r.setBool(&v.DisableNetworking), true
		case cdDnsSearchDomains:
			return r.stringList(&v.DnsSearchDomains), true
		case cdDnsServers:
			return r.stringList(&v.DnsServers), true
		case cdDockerLabels:
			return r.stringMap(&v.DockerLabels), true
		case cdDockerSecurityOptions:
			return r.stringList(&v.DockerSecurityOptions), true
		case cdEntryPoint:
			return r.stringList(&v.EntryPoint), true
		case cdEnvironment:
			return list(r, &r.keyValueBuf, &v.Environment, r.readKeyValue), true
		case cdEnvironmentFiles:
			return sdkList(r, &v.EnvironmentFiles), true
		case cdEssential:
			return r.setBool(&v.Essential), true
		case cdExtraHosts:
			return sdkList(r, &v.ExtraHosts), true
		case cdFirelensConfiguration:
			return sdkStruct(r, &v.FirelensConfiguration), true
		case cdHealthCheck:
			return sdkStruct(r, &v.HealthCheck), true
		case cdHostname:
			return r.setString(&v.Hostname), true
		case cdImage:
			return r.setString(&v.Image), true
		case cdInteractive:
			return r.setBool(&v.Interactive), true
		case cdLinks:
			return r.stringList(&v.Links), true
		case cdLinuxParameters:
			return sdkStruct(r, &v.LinuxParameters), true
		case cdLogConfiguration:
			v.LogConfiguration = new(ecstypes.LogConfiguration)
			return r.readLogConfiguration(v.LogConfiguration), true
		case cdMemory:
			return r.setInt32Ptr(&v.Memory), true
		case cdMemoryReservation:
			return r.setInt32Ptr(&v.MemoryReservation), true
		case cdMountPoints:
			return list(r, &r.mountBuf, &v.MountPoints, r.readMountPoint), true
		case cdName:
			return r.setString(&v.Name), true
		case cdPortMappings:
			return list(r, &r.portBuf, &v.PortMappings, r.readPortMapping), true
		case cdPrivileged:
			return r.setBool(&v.Privileged), true
		case cdPseudoTerminal:
			return r.setBool(&v.PseudoTerminal), true
		case cdReadonlyRootFilesystem:
			return r.setBool(&v.ReadonlyRootFilesystem), true
		case cdRepositoryCredentials:
			return sdkStruct(r, &v.RepositoryCredentials), true
		case cdResourceRequirements:
			return sdkList(r, &v.ResourceRequirements), true
		case cdRestartPolicy:
			return sdkStruct(r, &v.RestartPolicy), true
		case cdSecrets:
			return list(r, &r.secretBuf, &v.Secrets, r.readSecret), true
		case cdStartTimeout:
			return r.setInt32Ptr(&v.StartTimeout), true
		case cdStopTimeout:
			return r.setInt32Ptr(&v.StopTimeout), true
		case cdSystemControls:
			return sdkList(r, &v.SystemControls), true
		case cdUlimits:
			return sdkList(r, &v.Ulimits), true
		case cdUser:
			return r.setString(&v.User), true
		case cdVersionConsistency:
			return enum(r, &v.VersionConsistency), true
		case cdVolumesFrom:
			return list(r, &r.volumeFromBuf, &v.VolumesFrom, r.readVolumeFrom), true
		case cdWorkingDirectory:
			return r.setString(&v.WorkingDirectory), true
		}
		return false, false
	})
}

// readContainers reads a bare list of container definitions as readArray does. An empty list, or one holding
// anything but objects, is left to readArray.
func (r *shapeReader) readContainers() ([]ecstypes.ContainerDefinition, bool) {
	if r.peek() != '[' {
		return nil, false
	}
	r.i++
	if r.peek() == ']' {
		return nil, false
	}
	buf := &r.containerBuf
	ok := r.elements(func() bool {
		*buf = append(*buf, ecstypes.ContainerDefinition{})
		return r.peek() == '{' && r.readContainer(&(*buf)[len(*buf)-1], len(*buf) == 1)
	})
	var v []ecstypes.ContainerDefinition
	if ok {
		v = make([]ecstypes.ContainerDefinition, len(*buf))
		copy(v, *buf)
	}
	clear(*buf)
	*buf = (*buf)[:0]
	return v, ok
}

func (r *shapeReader) readCompatibility(v *ecstypes.Compatibility) bool { return enum(r, v) }

func (r *shapeReader) readKeyValue(v *ecstypes.KeyValuePair) bool {
	return readObject(r, &object{}, keyValueTable, v, func(code uint8) (bool, bool) {
		switch code {
		case kvName:
			return r.setString(&v.Name), true
		case kvValue:
			return r.setString(&v.Value), true
		}
		return false, false
	})
}

func (r *shapeReader) readSecret(v *ecstypes.Secret) bool {
	return readObject(r, &object{}, secretTable, v, func(code uint8) (bool, bool) {
		switch code {
		case secretName:
			return r.setString(&v.Name), true
		case secretValueFrom:
			return r.setString(&v.ValueFrom), true
		}
		return false, false
	})
}

func (r *shapeReader) readPortMapping(v *ecstypes.PortMapping) bool {
	return readObject(r, &object{}, portMappingTable, v, func(code uint8) (bool, bool) {
		switch code {
		case pmAppProtocol:
			return enum(r, &v.AppProtocol), true
		case pmContainerPort:
			return r.setInt32Ptr(&v.ContainerPort), true
		case pmContainerPortRange:
			return r.setString(&v.ContainerPortRange), true
		case pmHostPort:
			return r.setInt32Ptr(&v.HostPort), true
		case pmName:
			return r.setString(&v.Name), true
		case pmProtocol:
			return enum(r, &v.Protocol), true
		}
		return false, false
	})
}

func (r *shapeReader) readMountPoint(v *ecstypes.MountPoint) bool {
	return readObject(r, &object{}, mountPointTable, v, func(code uint8) (bool, bool) {
		switch code {
		case mpContainerPath:
			return r.setString(&v.ContainerPath), true
		case mpReadOnly:
			return r.setBool(&v.ReadOnly), true
		case mpSourceVolume:
			return r.setString(&v.SourceVolume), true
		}
		return false, false
	})
}

func (r *shapeReader) readVolumeFrom(v *ecstypes.VolumeFrom) bool {
	return readObject(r, &object{}, volumeFromTable, v, func(code uint8) (bool, bool) {
		switch code {
		case vfReadOnly:
			return r.setBool(&v.ReadOnly), true
		case vfSourceContainer:
			return r.setString(&v.SourceContainer), true
		}
		return false, false
	})
}

func (r *shapeReader) readDependency(v *ecstypes.ContainerDependency) bool {
	return readObject(r, &object{}, dependencyTable, v, func(code uint8) (bool, bool) {
		switch code {
		case depCondition:
			return enum(r, &v.Condition), true
		case depContainerName:
			return r.setString(&v.ContainerName), true
		}
		return false, false
	})
}

func (r *shapeReader) readLogConfiguration(v *ecstypes.LogConfiguration) bool {
	return readObject(r, &object{}, logTable, v, func(code uint8) (bool, bool) {
		switch code {
		case logDriver:
			return enum(r, &v.LogDriver), true
		case logOptions:
			return r.stringMap(&v.Options), true
		case logSecretOptions:
			return list(r, &r.secretBuf, &v.SecretOptions, r.readSecret), true
		}
		return false, false
	})
}

func (r *shapeReader) readAttribute(v *ecstypes.Attribute) bool {
	return readObject(r, &object{}, attributeTable, v, func(code uint8) (bool, bool) {
		switch code {
		case attrName:
			return r.setString(&v.Name), true
		case attrTargetID:
			return r.setString(&v.TargetId), true
		case attrTargetType:
			return enum(r, &v.TargetType), true
		case attrValue:
			return r.setString(&v.Value), true
		}
		return false, false
	})
}

func (r *shapeReader) readConstraint(v *ecstypes.TaskDefinitionPlacementConstraint) bool {
	return readObject(r, &object{}, constraintTable, v, func(code uint8) (bool, bool) {
		switch code {
		case pcExpression:
			return r.setString(&v.Expression), true
		case pcType:
			return enum(r, &v.Type), true
		}
		return false, false
	})
}

// readTags reads tags as tagList.UnmarshalJSON does, in the two shapes it takes: a {"key": "value"} map, or a
// list of {key, value} objects (any case), of which those without a key are dropped. false, with the reader
// anywhere in the value, leaves anything else (a wrong type, an escaped or non-ASCII member name, a syntax error)
// to tagList.UnmarshalJSON, to read or reject.
func (r *shapeReader) readTags() (tagList, bool) {
	switch r.peek() {
	case 'n':
		return nil, r.literal("null")
	case '{':
		var m map[string]string
		if !r.stringMap(&m) {
			return nil, false
		}
		return m, true
	case '[':
	default:
		return nil, false
	}
	r.i++
	m := tagList{}
	ok := r.elements(func() bool {
		switch r.peek() {
		case 'n':
			return r.literal("null")
		case '{':
		default:
			return false
		}
		r.i++
		// encoding/json sets a member met twice once more: the last one counts, null included.
		var key, value *string
		var k, v string
		for first := true; ; first = false {
			c := r.peek()
			if c == '}' {
				r.i++
				break
			}
			if !first {
				if c != ',' {
					return false
				}
				r.i++
			}
			a, b, esc, high, ok := r.key()
			if !ok || esc || high {
				return false
			}
			name := r.data[a:b]
			var target **string
			var text *string
			switch {
			case equalFold(name, "key"):
				target, text = &key, &k
			case equalFold(name, "value"):
				target, text = &value, &v
			default:
				if !r.skip(0) {
					return false
				}
				continue
			}
			if r.peek() == 'n' {
				if !r.literal("null") {
					return false
				}
				*target = nil
				continue
			}
			if *text, ok = r.readText(); !ok {
				return false
			}
			*target = text
		}
		if key != nil {
			m[*key] = ""
			if value != nil {
				m[*key] = *value
			}
		}
		return true
	})
	return m, ok
}
