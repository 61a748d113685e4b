package ctc

import (
	"errors"
	"fmt"
	"math"
)

// Booster biases the search towards phrases (contextual biasing, "hotwords") at token level.
// It is a deterministic state machine over token ids; a hypothesis starts in state 0.
// Scores are natural-log units added to the hypothesis score. Implementations must be safe
// for concurrent use if the same BeamConfig is used concurrently.
type Booster interface {
	// Advance is called when a hypothesis in state emits token (a new token, not a
	// repeat or blank). It returns the score change and the next state. A typical booster
	// gives a bonus for each token that extends a phrase match and returns a negative score
	// withdrawing the pending bonus when a partial match breaks off.
	Advance(state int32, token int) (bonus float64, next int32)
	// Final is added to a hypothesis ending the utterance in state: typically minus the
	// bonus given to an unfinished partial match.
	Final(state int32) float64
}

// DefaultHotwordBoost is the per-token bonus used by NewHotwords when none is given.
const DefaultHotwordBoost = 0.75

// Hotwords is a Booster over a trie of token-id phrases with Aho–Corasick failure links.
// Each matched token earns its phrase's per-token boost; when a partial match breaks off
// (or the utterance ends inside one) the bonus it earned is withdrawn, so only completed
// phrases keep their bonus. A phrase occurring inside the middle of a longer matched phrase
// is not credited separately.
type Hotwords struct {
	nodes []hwNode
}

type hwNode struct {
	next   map[int]int32
	parent int32
	fail   int32
	w      float64 // bonus for the token leading here
	acc    float64 // sum of w from the root
	base   float64 // acc of the deepest phrase end on the path (committed bonus)
	end    bool
}

// NewHotwords builds a Booster from phrases given as token-id sequences. boost[i] is the
// per-token bonus (natural log) for phrase i; a nil or short boost slice, or a zero entry,
// means DefaultHotwordBoost. Where phrases share a prefix the larger boost applies.
func NewHotwords(phrases [][]int, boost []float32) (*Hotwords, error) {
	if len(phrases) == 0 {
		return nil, errors.New("ctc: hotwords: no phrases")
	}
	h := &Hotwords{nodes: []hwNode{{parent: -1}}}
	for i, p := range phrases {
		if len(p) == 0 {
			return nil, fmt.Errorf("ctc: hotwords: phrase %d is empty", i)
		}
		b := DefaultHotwordBoost
		if i < len(boost) && boost[i] != 0 {
			b = float64(boost[i])
		}
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, fmt.Errorf("ctc: hotwords: phrase %d: boost %v is not finite", i, b)
		}
		n := int32(0)
		for _, tok := range p {
			if tok < 0 {
				return nil, fmt.Errorf("ctc: hotwords: phrase %d: negative token id %d", i, tok)
			}
			c, ok := h.nodes[n].next[tok]
			if !ok {
				c = int32(len(h.nodes))
				h.nodes = append(h.nodes, hwNode{parent: n, w: b})
				if h.nodes[n].next == nil {
					h.nodes[n].next = map[int]int32{}
				}
				h.nodes[n].next[tok] = c
			}
			h.nodes[c].w = max(h.nodes[c].w, b)
			n = c
		}
		h.nodes[n].end = true
	}
	// Breadth-first: accumulated scores and failure links.
	queue := []int32{0}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for tok, c := range h.nodes[u].next {
			nd := &h.nodes[c]
			nd.acc = h.nodes[u].acc + nd.w
			nd.base = h.nodes[u].base
			if nd.end {
				nd.base = nd.acc
			}
			nd.fail = 0
			if u != 0 {
				nd.fail = h.step(h.nodes[u].fail, tok)
			}
			queue = append(queue, c)
		}
	}
	return h, nil
}

// step follows the trie from s on tok, falling back along failure links.
func (h *Hotwords) step(s int32, tok int) int32 {
	for {
		if c, ok := h.nodes[s].next[tok]; ok {
			return c
		}
		if s == 0 {
			return 0
		}
		s = h.nodes[s].fail
	}
}

// pending is the bonus given for an unfinished match in state s.
func (h *Hotwords) pending(s int32) float64 { return h.nodes[s].acc - h.nodes[s].base }

// Advance implements Booster.
func (h *Hotwords) Advance(state int32, token int) (float64, int32) {
	if state < 0 || int(state) >= len(h.nodes) {
		state = 0
	}
	g := h.step(state, token)
	bonus := h.pending(g) - h.pending(state)
	if nd := &h.nodes[g]; nd.end {
		bonus += nd.acc - h.nodes[nd.parent].base
	}
	return bonus, g
}

// Final implements Booster: it withdraws the bonus of an unfinished match.
func (h *Hotwords) Final(state int32) float64 {
	if state < 0 || int(state) >= len(h.nodes) {
		return 0
	}
	return -h.pending(state)
}
