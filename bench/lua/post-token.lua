-- The demo client's client-credentials grant, posted as the README's first request posts it (bench/token-endpoint.sh).
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic c2NhbGFyaHViLWRlbW86ZGVtby1zZWNyZXQ=" -- scalarhub-demo:demo-secret
