// The test API in Go's net/http, wrapped in the corsHandler that `python -m addon export go` writes
// (built beside it, offline, against Debian's golang-github-rs-cors-dev).
// Usage: api PORT
package main

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
)

var status = regexp.MustCompile(`/status/(\d{3})$`)

// The same bodies as tests/upstream.py, so they compare equal across fronts.
func send(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprint(w, body)
}

func api(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if m := status.FindStringSubmatch(path); m != nil {
		var code int
		fmt.Sscan(m[1], &code)
		send(w, code, fmt.Sprintf(`{"status": %d}`, code))
	} else if strings.HasSuffix(path, "/redirect") {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	} else if strings.HasSuffix(path, "/custom") {
		w.Header().Set("X-Custom", "1")
		w.Header().Set("X-Total", "7")
		w.Header().Set("Set-Cookie", "s=1; Path=/")
		send(w, 200, `{"custom": true}`)
	} else if r.Method == http.MethodOptions {
		w.Header().Set("Allow", "GET, POST")
		send(w, 405, `{"error": "method not allowed"}`)
	} else {
		send(w, 200, fmt.Sprintf(`{"method": %q, "path": %q}`, r.Method, path))
	}
}

func main() {
	if err := http.ListenAndServe("127.0.0.1:"+os.Args[1], corsHandler(http.HandlerFunc(api))); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
