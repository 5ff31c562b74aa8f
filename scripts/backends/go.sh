#!/usr/bin/env bash
# go-echo (Go's net/http/fcgi, Debian golang-go) on ADDRESS.
# fcgispec-package: golang-go
# fcgispec-script-filename: /fcgispec
# fcgispec-jobs: 1
source "$(dirname "$0")/common.sh"
export GOCACHE=${GOCACHE:-$work/gocache} GOFLAGS=-mod=mod GO111MODULE=off
go build -o "$work/go-echo" "$here/go-echo/main.go"
if [ -n "$sock" ]; then run_child "$work/go-echo" unix "$sock"
else run_child "$work/go-echo" tcp "$host:$port"; fi
