module herald.dev/shim

go 1.24
