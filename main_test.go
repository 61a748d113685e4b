package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Under LANG=C.UTF-8 (containers, CI) Fyne used to log "Error parsing user locale C" while
// initialising, before any command ran. The child process below is this test binary started
// with that locale: whatever Fyne prints during initialisation shows up in its output.
func TestNoLocaleErrorUnderCUTF8(t *testing.T) {
	if os.Getenv("HARK_LOCALE_CHILD") == "1" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleErrorUnderCUTF8$")
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG=C.UTF-8", "HARK_LOCALE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "locale") {
		t.Errorf("locale noise under LANG=C.UTF-8:\n%s", out)
	}
}
