package rule

// Checker is a rule of any resource type, as the engine holds a catalog of rules over different kinds of resource
// in one list.
type Checker interface {
	// Metadata returns the rule's metadata.
	Metadata() *Meta
	// CheckResource runs the check when r is of the rule's resource type; ok is false (and nothing ran) otherwise.
	CheckResource(r any, env *Env) (results []Result, ok bool)
}

// Metadata implements Checker.
func (r *Rule[R]) Metadata() *Meta { return &r.Meta }

// CheckResource implements Checker.
func (r *Rule[R]) CheckResource(res any, env *Env) ([]Result, bool) {
	v, ok := res.(R)
	if !ok {
		return nil, false
	}
	return r.Check(v, env), true
}
