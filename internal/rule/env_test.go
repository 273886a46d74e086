package rule

import "testing"

func TestResultsReuseRecycled(t *testing.T) {
	var none *Env
	if rs := none.Results(2); len(rs) != 0 || cap(rs) < 2 {
		t.Fatalf("nil Env: Results(2) has len %d, cap %d", len(rs), cap(rs))
	}
	env := &Env{}
	first := append(env.Results(3), Result{Detail: "a"})
	if again := env.Results(3); &again[:1][0] == &first[0] {
		t.Fatal("Results reused a slice that was not recycled")
	}
	env.Recycle(first)
	second := env.Results(2)
	if len(second) != 0 || &second[:1][0] != &first[0] {
		t.Fatal("Results did not reuse the recycled slice")
	}
	if third := env.Results(2); cap(third) >= 2 && &third[:1][0] == &first[0] {
		t.Fatal("Results handed out the same slice twice")
	}
	env.Recycle(second)
	if bigger := env.Results(4); &bigger[:1][0] == &first[0] {
		t.Fatal("Results reused a slice too small for what was asked")
	}
}
