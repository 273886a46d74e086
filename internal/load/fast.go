package load

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ecs/schemas"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/document"
)

// The fast path reads the inputs a scan meets again and again (a task definition, bare or as describe-task-definition
// or register-task-definition output, or a recorded boto3 response holding one, and a bare list of container
// definitions) in one pass, straight into the SDK types: the common structures with the direct readers of
// direct.go, the rest through the deserializers the SDK generates for them (the Deserialize methods of ecstypes),
// over the shapeReader below. It gives exactly what the exact path (encoding/json into taskJSON) gives,
// or gives up: on anything it does not read the same way (a syntax or type error, a duplicate key, an escaped or
// non-ASCII key, a union member) nothing is added and the exact path reads the input again and, if the input is
// wrong, locates the problem. fast_test.go holds it to that, input by input.

// errFallback stops the fast path; the exact path then reads the input.
var errFallback = errors.New("fast path: input left to the exact decoder")

// maxDepth bounds the nesting of values the fast path passes over, maxFrames that of the objects and arrays it
// reads (a task definition in a recorded response needs 9); anything deeper goes to the exact path.
const (
	maxDepth  = 64
	maxFrames = 12
)

// readFast reads the input if it is one of the common task definition shapes and has no problem; it reports
// whether it did. On false nothing was added to the set.
func (d *doc) readFast() bool {
	r := newShapeReader(d.data)
	defer r.release()
	switch r.peek() {
	case '{':
		if !r.readTask(&r.root.bare, &r.root) || !r.end() {
			return false
		}
		return d.addFast(&r.root, "")
	case '[':
		list, ok := r.readContainers()
		if !ok || !r.end() {
			return false
		}
		td := &r.root.bare
		td.def.ContainerDefinitions = list
		fam := familyFromSource(d.source)
		td.def.Family = &fam
		return d.addTaskDoc(td, nil, "")
	}
	return false
}

// rootDoc is what the fast path learns of a top-level object (or of the data object of a recorded response): the
// object read as a bare task definition, and the members that say whether it is one.
type rootDoc struct {
	bare taskDoc
	// containers says the object has containerDefinitions: it is a bare task definition.
	containers bool
	// task is its taskDefinition member (describe-task-definition or register-task-definition output).
	task *taskDoc
	// statusCode and data are the members of a recorded response; data is nil when it is not an object.
	statusCode   []byte
	hasData      bool
	data         *rootDoc
	imageDetails bool
	nested       bool
	// configItems is the configurationItems member (AWS Config), read by readConfigItems.
	configItems []byte
}

// taskDoc is a task definition as taskJSON reads it: the SDK type, and its tags as written.
type taskDoc struct {
	def     ecstypes.TaskDefinition
	tagsRaw []byte
	// tags is tagsRaw read, when readTags could read it; tagsRead says so.
	tags     tagList
	tagsRead bool
}

// tagList returns the tags as taskJSON reads them.
func (td *taskDoc) tagList() (tagList, error) {
	if td.tagsRead || td.tagsRaw == nil {
		return td.tags, nil
	}
	var tags tagList
	err := tags.UnmarshalJSON(td.tagsRaw)
	return tags, err
}

// addFast picks the task definition out of a top-level object the way readObject does, and adds it.
func (d *doc) addFast(root *rootDoc, prefix string) bool {
	wrapperTags, err := root.bare.tagList()
	if err != nil {
		return false
	}
	switch {
	case root.statusCode != nil && root.hasData:
		code, err := strconv.ParseInt(string(root.statusCode), 10, 64)
		if root.nested || err != nil || code >= 300 || root.data == nil {
			return false
		}
		return d.addFast(root.data, "data")
	case root.task != nil:
		if root.imageDetails {
			return false
		}
		return d.addTaskDoc(root.task, wrapperTags, join(prefix, "taskDefinition"))
	case root.containers:
		return d.addTaskDoc(&root.bare, nil, prefix)
	case root.configItems != nil:
		// Rare enough to leave the items to encoding/json; their task definitions still take the fast path
		// (decodeTask). On an error what was added goes, and the exact path reads the input again.
		before := d.set.snapshot()
		if d.readConfigItems(member{raw: root.configItems}) != nil {
			d.set.restore(before)
			return false
		}
		return true
	}
	return false
}

// fastTask reads one task definition (a JSON object and nothing else) as decodeTask does; false leaves it to
// decodeTask's exact path.
func (d *doc) fastTask(raw []byte) (*taskWithTags, bool) {
	r := newShapeReader(raw)
	defer r.release()
	td := &r.root.bare
	if r.peek() != '{' || !r.readTask(td, nil) || !r.end() ||
		len(td.def.ContainerDefinitions) == 0 || validateTask(&td.def) != nil {
		return nil, false
	}
	tags, err := td.tagList()
	if err != nil {
		return nil, false
	}
	return &taskWithTags{TaskDefinition: td.def, tags: tags}, true
}

// addTaskDoc finishes a task definition as decodeTask does; any problem is left to the exact path to report.
func (d *doc) addTaskDoc(td *taskDoc, wrapperTags tagList, path string) bool {
	if len(td.def.ContainerDefinitions) == 0 || validateTask(&td.def) != nil {
		return false
	}
	own, err := td.tagList()
	if err != nil {
		return false
	}
	d.addTask(&taskWithTags{TaskDefinition: td.def, tags: own}, wrapperTags, path)
	return true
}

// scanner walks JSON text, checking it as strictly as encoding/json does.
type scanner struct {
	data []byte
	// text is data as one string: strings without escapes are slices of it, one allocation for all of them.
	text string
	i    int
}

// peek passes over white space and returns the next byte, or 0 at the end. It is small enough to be inlined for
// the common case, a token right where the last one ended.
func (s *scanner) peek() (c byte) {
	if s.i < len(s.data) {
		c = s.data[s.i]
	}
	if c <= ' ' {
		c = s.peekSlow()
	}
	return
}

// peekSlow is peek past white space.
func (s *scanner) peekSlow() byte {
	data, i := s.data, s.i
	for i < len(data) {
		c := data[i]
		if c > ' ' || (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			s.i = i
			return c
		}
		i++
		// Pretty-printed input is mostly indentation: pass over a run of spaces eight bytes at a time, up to the
		// first byte that is not a space (the lowest byte of the word that differs from a space).
		for i+8 <= len(data) {
			if w := binary.LittleEndian.Uint64(data[i:]) ^ spaces; w != 0 {
				i += bits.TrailingZeros64(w) >> 3
				break
			}
			i += 8
		}
	}
	s.i = i
	return 0
}

// spaces is eight spaces read as one word.
const spaces = 0x2020202020202020

// end reports whether only white space is left.
func (s *scanner) end() bool { return s.peek() == 0 && s.i == len(s.data) }

// str scans the string at s.i; a and b bound its contents. esc reports escapes, high bytes outside ASCII.
func (s *scanner) str() (a, b int, esc, high, ok bool) {
	// Most strings are short and plain ASCII: look eight bytes at a time for the first byte that is a quote, a
	// backslash, a control byte or outside ASCII; if it is the quote, that ends a string that decodes to itself.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	data := s.data
	a = s.i + 1
	i := a
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		// As in plain: the lowest flagged byte is exact; a borrow only flags bytes above it.
		q, bs := w^('"'*ones), w^('\\'*ones)
		m := ((w - 0x20*ones) | w | (q-ones)&^q | (bs-ones)&^bs) & highs
		if m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			if data[i] == '"' {
				s.i = i + 1
				return a, i, false, false, true
			}
			return s.strSlow()
		}
	}
	for ; i < len(data); i++ {
		if c := data[i]; c == '"' {
			s.i = i + 1
			return a, i, false, false, true
		} else if c < ' ' || c >= utf8.RuneSelf || c == '\\' {
			break
		}
	}
	return s.strSlow()
}

// plain reports whether b holds only ASCII from the space up, without a backslash: a JSON string's contents that
// decode to themselves.
func plain(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		// A byte below 0x20 borrows and sets its high bit in w-0x20..., one at or above 0x80 has it set in w; a
		// backslash is a zero byte in w^0x5c.... Either test may also flag a byte above a flagged one: no matter.
		bs := w ^ (0x5c * ones)
		if ((w-0x20*ones)|w)&highs != 0 || (bs-ones)&^bs&highs != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < ' ' || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return true
}

// strSlow is str byte by byte, through escapes and bytes outside ASCII.
func (s *scanner) strSlow() (a, b int, esc, high, ok bool) {
	i := s.i + 1
	a = i
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.i = i + 1
			return a, i, esc, high, true
		case c == '\\':
			esc = true
			if i+1 >= len(s.data) {
				return
			}
			switch s.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(s.data) {
					return
				}
				for _, h := range s.data[i+2 : i+6] {
					if !isHex(h) {
						return
					}
				}
				i += 6
			default:
				return
			}
		case c < 0x20:
			return
		case c >= utf8.RuneSelf:
			high = true
			i++
		default:
			i++
		}
	}
	return
}

// stringValue decodes the string str scanned.
func (s *scanner) stringValue(a, b int, esc, high bool) (string, bool) {
	if !esc && (!high || utf8.Valid(s.data[a:b])) {
		return s.text[a:b], true
	}
	if !high {
		if v, ok := unescape(s.data[a:b]); ok {
			return v, true
		}
	}
	// \u escapes and invalid UTF-8 (which encoding/json replaces) are rare: decode them as encoding/json does.
	var v string
	if json.Unmarshal(s.data[a-1:b+1], &v) != nil {
		return "", false
	}
	return v, true
}

// unescape decodes the contents of an ASCII JSON string that str scanned (so its escapes are well formed), as
// encoding/json does; false leaves one with a \u escape to encoding/json.
func unescape(b []byte) (string, bool) {
	var out strings.Builder
	out.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' {
			i++
			switch c = b[i]; c {
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'u':
				return "", false
			}
		}
		out.WriteByte(c)
	}
	return out.String(), true
}

// number scans the number at s.i; integer reports one without fraction or exponent.
func (s *scanner) number() (a, b int, integer, ok bool) {
	i, n := s.i, len(s.data)
	a = i
	if i < n && s.data[i] == '-' {
		i++
	}
	switch {
	case i < n && s.data[i] == '0':
		i++
	case i < n && s.data[i] >= '1' && s.data[i] <= '9':
		for i < n && isDigit(s.data[i]) {
			i++
		}
	default:
		return
	}
	integer = true
	if i < n && s.data[i] == '.' {
		integer = false
		i++
		if i >= n || !isDigit(s.data[i]) {
			return
		}
		for i < n && isDigit(s.data[i]) {
			i++
		}
	}
	if i < n && (s.data[i] == 'e' || s.data[i] == 'E') {
		integer = false
		i++
		if i < n && (s.data[i] == '+' || s.data[i] == '-') {
			i++
		}
		if i >= n || !isDigit(s.data[i]) {
			return
		}
		for i < n && isDigit(s.data[i]) {
			i++
		}
	}
	s.i = i
	return a, i, integer, true
}

// literal consumes word (true, false or null) at s.i.
func (s *scanner) literal(word string) bool {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// skip checks and passes over one value.
func (s *scanner) skip(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch s.peek() {
	case '{':
		s.i++
		if s.peek() == '}' {
			s.i++
			return true
		}
		for {
			if s.peek() != '"' {
				return false
			}
			if _, _, _, _, ok := s.str(); !ok || s.peek() != ':' {
				return false
			}
			s.i++
			if !s.skip(depth + 1) {
				return false
			}
			switch s.peek() {
			case ',':
				s.i++
			case '}':
				s.i++
				return true
			default:
				return false
			}
		}
	case '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				return true
			default:
				return false
			}
		}
	case '"':
		_, _, _, _, ok := s.str()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	_, _, _, ok := s.number()
	return ok
}

// span passes over one value and returns its text.
func (s *scanner) span() ([]byte, bool) {
	s.peek()
	start := s.i
	if !s.skip(0) {
		return nil, false
	}
	return s.data[start:s.i], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

// equalFold compares an ASCII key with an ASCII name, ignoring case.
func equalFold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if a >= 'A' && a <= 'Z' {
			a += 'a' - 'A'
		}
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

type frameKind uint8

const (
	inStruct frameKind = iota + 1
	inList
	inMap
)

// frame is one open object or array.
type frame struct {
	kind  frameKind
	first bool
	// schema is the structure being read (struct frames).
	schema *smithy.Schema
	// seen is where the members read so far start in shapeReader.seen: a key met twice goes to the exact path.
	seen int
	// task is set on a task definition read as taskJSON reads it; root on a top-level object.
	task *taskDoc
	root *rootDoc
	// probe is set on the first container of a bare list: readArray refuses one with containerDefinitions.
	probe bool
}

// shapeReader is a smithy.ShapeDeserializer over JSON text that reads it the way encoding/json reads the SDK's
// types (case-insensitive member names; null leaves a member unset) and stops at anything else.
type shapeReader struct {
	scanner
	// root is the top-level object; it lives here to spare it an allocation of its own.
	root   rootDoc
	frames [maxFrames]frame
	depth  int
	// frameHigh is the most frames used, for reset.
	frameHigh int
	seen      []*smithy.Schema
	// seenBuf holds seen for a typical task definition without an allocation.
	seenBuf [48]*smithy.Schema
	// The marks for the next structure read.
	nextTask  *taskDoc
	nextRoot  *rootDoc
	nextProbe bool
	failed    bool
	// The backing arrays of the pointer fields the direct readers set (direct.go).
	stringSlab []string
	boolSlab   []bool
	int32Slab  []int32
	listBuffers
}

// listBuffers is scratch space for the lists the direct readers read, kept from one input to the next.
type listBuffers struct {
	containerBuf  []ecstypes.ContainerDefinition
	keyValueBuf   []ecstypes.KeyValuePair
	secretBuf     []ecstypes.Secret
	stringBuf     []string
	compatBuf     []ecstypes.Compatibility
	portBuf       []ecstypes.PortMapping
	mountBuf      []ecstypes.MountPoint
	volumeFromBuf []ecstypes.VolumeFrom
	dependencyBuf []ecstypes.ContainerDependency
	attributeBuf  []ecstypes.Attribute
	constraintBuf []ecstypes.TaskDefinitionPlacementConstraint
}

// readers keeps shapeReaders for reuse: one is large, and its list buffers are worth keeping.
var readers = sync.Pool{New: func() any { return new(shapeReader) }}

// newShapeReader returns a reader of data; release gives it back.
func newShapeReader(data []byte) *shapeReader {
	r := readers.Get().(*shapeReader)
	r.data, r.text = data, string(data)
	r.seen = r.seenBuf[:0]
	return r
}

// release clears the reader and keeps it for reuse. What it read has been copied out.
func (r *shapeReader) release() {
	r.reset()
	readers.Put(r)
}

// reset clears the reader so that it keeps nothing of the input alive: field by field, as clearing the whole of
// it (a few kilobytes, with pointers) costs more than reading a small input. The list buffers are empty already
// (list clears what it used); seenBuf holds only schemas, which live as long as the program.
func (r *shapeReader) reset() {
	clear(r.frames[:r.frameHigh])
	r.frameHigh = 0
	r.scanner = scanner{}
	r.root = rootDoc{}
	r.depth, r.seen = 0, nil
	r.nextTask, r.nextRoot, r.nextProbe, r.failed = nil, nil, false, false
	r.stringSlab, r.boolSlab, r.int32Slab = nil, nil, nil
}

var _ smithy.ShapeDeserializer = (*shapeReader)(nil)

func (r *shapeReader) fail() error {
	r.failed = true
	return errFallback
}

func (r *shapeReader) push(f frame) error {
	if r.depth == len(r.frames) {
		return r.fail()
	}
	r.frames[r.depth] = f
	r.depth++
	r.frameHigh = max(r.frameHigh, r.depth)
	return nil
}

func (r *shapeReader) pop() {
	r.depth--
	r.seen = r.seen[:r.frames[r.depth].seen]
}

func (r *shapeReader) top(kind frameKind) *frame {
	if r.failed || r.depth == 0 || r.frames[r.depth-1].kind != kind {
		return nil
	}
	return &r.frames[r.depth-1]
}

// next moves past the separator before the next member or element of f; more is false at the end of f.
func (r *shapeReader) next(f *frame, closing byte) (more, ok bool) {
	c := r.peek()
	if f.first {
		f.first = false
	} else if c == ',' {
		r.i++
		c = r.peek()
		if c == closing {
			return false, false
		}
	} else if c != closing {
		return false, false
	}
	if c == closing {
		r.i++
		r.pop()
		return false, true
	}
	return true, true
}

// key reads a member name and its colon.
func (r *shapeReader) key() (a, b int, esc, high, ok bool) {
	if r.peek() != '"' {
		return
	}
	a, b, esc, high, ok = r.str()
	if !ok || r.peek() != ':' {
		return a, b, esc, high, false
	}
	r.i++
	return
}

// ReadStruct implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadStruct(s *smithy.Schema) error {
	task, root, probe := r.nextTask, r.nextRoot, r.nextProbe
	r.nextTask, r.nextRoot, r.nextProbe = nil, nil, false
	if r.failed || r.peek() != '{' || (task != nil && s != schemas.TaskDefinition) {
		return r.fail()
	}
	r.i++
	return r.push(frame{kind: inStruct, first: true, schema: s, seen: len(r.seen), task: task, root: root, probe: probe})
}

// ReadStructMember implements smithy.ShapeDeserializer. Members set to null are passed over, as encoding/json
// leaves them unset; members the SDK type does not have are passed over, except those the loader reads itself.
func (r *shapeReader) ReadStructMember() (*smithy.Schema, error) {
	for {
		f := r.top(inStruct)
		if f == nil {
			return nil, r.fail()
		}
		more, ok := r.next(f, '}')
		if !ok {
			return nil, r.fail()
		}
		if !more {
			return nil, nil
		}
		a, b, esc, high, ok := r.key()
		if !ok || esc || high {
			// encoding/json folds non-ASCII names by Unicode rules; leave those to it.
			return nil, r.fail()
		}
		key := r.data[a:b]
		if f.probe && string(key) == "containerDefinitions" {
			return nil, r.fail()
		}
		m := exactMember(f.schema, key)
		if m == nil && (f.task == nil && f.root == nil || !loaderMember(key)) {
			m = foldedMember(f.schema, key)
		}
		if m == nil {
			if !r.extra(f.task, f.root, key) {
				return nil, r.fail()
			}
			continue
		}
		for _, s := range r.seen[f.seen:] {
			if s == m {
				return nil, r.fail()
			}
		}
		r.seen = append(r.seen, m)
		if f.root != nil && m == schemas.TaskDefinition_containerDefinitions {
			f.root.containers = true
		}
		if r.peek() == 'n' {
			if !r.literal("null") {
				return nil, r.fail()
			}
			continue
		}
		return m, nil
	}
}

// memberOf finds the member a key names the way encoding/json matches a key to a field: exactly, or else ignoring
// case (the SDK's member names fold to its field names; fast_test.go checks that).
func memberOf(s *smithy.Schema, key []byte) *smithy.Schema {
	if m := exactMember(s, key); m != nil {
		return m
	}
	return foldedMember(s, key)
}

// exactMember is memberOf for a key written as the member is named, or in PascalCase: one or two map look-ups.
func exactMember(s *smithy.Schema, key []byte) *smithy.Schema {
	ms := s.Members()
	if m, ok := ms[string(key)]; ok {
		return m
	}
	// CloudFormation writes the names in PascalCase.
	if len(key) > 0 && len(key) <= 64 && key[0] >= 'A' && key[0] <= 'Z' {
		var buf [64]byte
		n := copy(buf[:], key)
		buf[0] += 'a' - 'A'
		if m, ok := ms[string(buf[:n])]; ok {
			return m
		}
	}
	return nil
}

// foldedMember is memberOf for any other key: it compares the key with every member name.
func foldedMember(s *smithy.Schema, key []byte) *smithy.Schema {
	for name, m := range s.Members() {
		if equalFold(key, name) {
			return m
		}
	}
	return nil
}

// loaderMembers are the members of a task definition (or of the object around one) that extra reads; none folds
// to a member of the SDK type (fast_test.go checks that), so a key that folds to one of them is not compared with
// every member name first, which most of the keys an input has beyond the SDK type's would otherwise be.
var loaderMembers = []string{"tags", "taskDefinition", "data", "status_code", "imageDetails", "configurationItems"}

func loaderMember(key []byte) bool {
	for _, name := range loaderMembers {
		if equalFold(key, name) {
			return true
		}
	}
	return false
}

// extra reads a member the SDK type does not have: the tags taskJSON adds, and the members readObject dispatches
// on; any other is passed over, as encoding/json does.
func (r *shapeReader) extra(task *taskDoc, root *rootDoc, key []byte) bool {
	if task != nil && equalFold(key, "tags") {
		if task.tagsRaw != nil {
			return false
		}
		start := r.i
		if task.tags, task.tagsRead = r.readTags(); task.tagsRead {
			task.tagsRaw = r.data[start:r.i]
			return true
		}
		// Left to tagList.UnmarshalJSON.
		r.i = start
		raw, ok := r.span()
		task.tagsRaw = raw
		return ok
	}
	if root == nil {
		return r.skip(0)
	}
	switch {
	case equalFold(key, "taskDefinition"):
		if root.task != nil || r.peek() != '{' {
			return false
		}
		root.task = &taskDoc{}
		return r.readTask(root.task, nil)
	case equalFold(key, "data"):
		if root.hasData {
			return false
		}
		root.hasData = true
		if r.peek() != '{' || root.nested {
			return r.skip(0)
		}
		root.data = &rootDoc{nested: true}
		return r.readTask(&root.data.bare, root.data)
	case equalFold(key, "status_code"):
		if root.statusCode != nil {
			return false
		}
		raw, ok := r.span()
		root.statusCode = raw
		return ok
	case equalFold(key, "imageDetails"):
		root.imageDetails = true
	case equalFold(key, "configurationItems"):
		if root.configItems != nil {
			return false
		}
		raw, ok := r.span()
		root.configItems = raw
		return ok
	}
	return r.skip(0)
}

// ReadList implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadList(*smithy.Schema) error {
	if r.failed || r.peek() != '[' {
		return r.fail()
	}
	r.i++
	return r.push(frame{kind: inList, first: true, seen: len(r.seen)})
}

// ReadListItem implements smithy.ShapeDeserializer. smithy.ReadList drops the error of a false answer, so an
// error comes with true (and the reader stays failed).
func (r *shapeReader) ReadListItem(*smithy.Schema) (bool, error) {
	f := r.top(inList)
	if f == nil {
		return true, r.fail()
	}
	more, ok := r.next(f, ']')
	if !ok {
		return true, r.fail()
	}
	return more, nil
}

// ReadMap implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadMap(*smithy.Schema) error {
	if r.failed || r.peek() != '{' {
		return r.fail()
	}
	r.i++
	return r.push(frame{kind: inMap, first: true, seen: len(r.seen)})
}

// ReadMapKey implements smithy.ShapeDeserializer; an error comes with true, as for ReadListItem.
func (r *shapeReader) ReadMapKey(*smithy.Schema) (string, bool, error) {
	f := r.top(inMap)
	if f == nil {
		return "", true, r.fail()
	}
	more, ok := r.next(f, '}')
	if !ok {
		return "", true, r.fail()
	}
	if !more {
		return "", false, nil
	}
	a, b, esc, high, ok := r.key()
	if !ok {
		return "", true, r.fail()
	}
	k, ok := r.stringValue(a, b, esc, high)
	if !ok {
		return "", true, r.fail()
	}
	return k, true, nil
}

// ReadNil implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadNil(*smithy.Schema) (bool, error) {
	if r.failed {
		return false, errFallback
	}
	if r.peek() != 'n' {
		return false, nil
	}
	if !r.literal("null") {
		return false, r.fail()
	}
	return true, nil
}

// ReadString implements smithy.ShapeDeserializer. A task definition's cpu and memory may be numbers, kept as
// written (flexString).
func (r *shapeReader) ReadString(s *smithy.Schema, v *string) error {
	if r.failed {
		return errFallback
	}
	c := r.peek()
	if c == '"' {
		a, b, esc, high, ok := r.str()
		if !ok {
			return r.fail()
		}
		if *v, ok = r.stringValue(a, b, esc, high); !ok {
			return r.fail()
		}
		return nil
	}
	if (s == schemas.TaskDefinition_cpu || s == schemas.TaskDefinition_memory) && (c == '-' || isDigit(c)) {
		a, b, _, ok := r.number()
		if !ok {
			return r.fail()
		}
		if _, err := strconv.ParseFloat(r.text[a:b], 64); err != nil {
			return r.fail()
		}
		*v = r.text[a:b]
		return nil
	}
	return r.fail()
}

// ReadBool implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadBool(_ *smithy.Schema, v *bool) error {
	switch {
	case r.failed:
		return errFallback
	case r.peek() == 't' && r.literal("true"):
		*v = true
	case r.peek() == 'f' && r.literal("false"):
		*v = false
	default:
		return r.fail()
	}
	return nil
}

// integer reads a number without fraction or exponent in [lo, hi], as encoding/json fills an integer field.
func (r *shapeReader) integer(lo, hi int64) (int64, error) {
	if r.failed {
		return 0, errFallback
	}
	if c := r.peek(); c != '-' && !isDigit(c) {
		return 0, r.fail()
	}
	a, b, integer, ok := r.number()
	if !ok || !integer {
		return 0, r.fail()
	}
	n, err := strconv.ParseInt(r.text[a:b], 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, r.fail()
	}
	return n, nil
}

// ReadInt32 implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadInt32(_ *smithy.Schema, v *int32) error {
	n, err := r.integer(math.MinInt32, math.MaxInt32)
	*v = int32(n)
	return err
}

// ReadInt64 implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadInt64(_ *smithy.Schema, v *int64) error {
	n, err := r.integer(math.MinInt64, math.MaxInt64)
	*v = n
	return err
}

// ReadInt8 implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadInt8(_ *smithy.Schema, v *int8) error {
	n, err := r.integer(math.MinInt8, math.MaxInt8)
	*v = int8(n)
	return err
}

// ReadInt16 implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadInt16(_ *smithy.Schema, v *int16) error {
	n, err := r.integer(math.MinInt16, math.MaxInt16)
	*v = int16(n)
	return err
}

// ReadTime implements smithy.ShapeDeserializer for the timestamps of a task definition, which taskJSON reads as
// flexTime. An empty string leaves flexTime unset where the SDK's code has already set the field: exact path.
func (r *shapeReader) ReadTime(s *smithy.Schema, v *time.Time) error {
	if r.failed || (s != schemas.TaskDefinition_registeredAt && s != schemas.TaskDefinition_deregisteredAt &&
		s != schemas.TaskDefinition_deleteRequestedAt) {
		return r.fail()
	}
	raw, ok := r.span()
	var ft flexTime
	if !ok || ft.UnmarshalJSON(raw) != nil || ft.t == nil {
		return r.fail()
	}
	*v = *ft.t
	return nil
}

// The shapes below do not occur in a task definition read the way encoding/json reads it (floats, blobs, big
// numbers, documents) or are read differently by it (unions, which it cannot fill): exact path.

// ReadFloat32 implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadFloat32(*smithy.Schema, *float32) error { return r.fail() }

// ReadFloat64 implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadFloat64(*smithy.Schema, *float64) error { return r.fail() }

// ReadBlob implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadBlob(*smithy.Schema, *[]byte) error { return r.fail() }

// ReadBigInt implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadBigInt(*smithy.Schema, *big.Int) error { return r.fail() }

// ReadBigFloat implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadBigFloat(*smithy.Schema, *big.Float) error { return r.fail() }

// ReadUnion implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadUnion(*smithy.Schema) (*smithy.Schema, error) { return nil, r.fail() }

// ReadDocument implements smithy.ShapeDeserializer.
func (r *shapeReader) ReadDocument(*smithy.Schema, *document.Value) error { return r.fail() }
