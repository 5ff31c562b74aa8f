// Echo handler on Go's net/http/fcgi: prints the params net/http did not
// turn into the request (fcgi.ProcessEnv), the request line and the body
// in the reference responder's line format.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"sort"
	"strings"
)

func esc(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '%' || c == '=' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-echo tcp|unix ADDRESS")
		os.Exit(2)
	}
	os.Remove(os.Args[2])
	l, err := net.Listen(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening on", os.Args[2])
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "role GO\nparam REQUEST_METHOD=%s\nparam REQUEST_URI=%s\n",
			esc(r.Method), esc(r.RequestURI))
		env := fcgi.ProcessEnv(r)
		names := make([]string, 0, len(env))
		for k := range env {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(w, "param %s=%s\n", esc(k), esc(env[k]))
		}
		fmt.Fprintf(w, "stdin %d\n%s\nend\n", len(body), body)
	})
	fmt.Fprintln(os.Stderr, fcgi.Serve(l, handler))
}
