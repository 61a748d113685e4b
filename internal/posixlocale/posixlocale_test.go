package posixlocale

import "testing"

func TestApply(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LANG": "C.utf8"}, true},
		{map[string]string{"LC_ALL": "POSIX.UTF-8", "LANG": "en_GB.UTF-8"}, true},
		{map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "de"}, false},
		{map[string]string{"LANG": "C"}, false},
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{}, false},
	}
	for _, c := range cases {
		env := map[string]string{}
		for k, v := range c.env {
			env[k] = v
		}
		got := apply(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		if got != c.want {
			t.Errorf("%v: apply = %v, want %v", c.env, got, c.want)
		}
		if c.want && env["LANGUAGE"] != "en" {
			t.Errorf("%v: LANGUAGE = %q, want en", c.env, env["LANGUAGE"])
		}
		if !c.want && env["LANGUAGE"] != c.env["LANGUAGE"] {
			t.Errorf("%v: LANGUAGE changed to %q", c.env, env["LANGUAGE"])
		}
	}
}
