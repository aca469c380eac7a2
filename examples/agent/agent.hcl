# bao agent -config=agent.hcl   (or: vault agent -config=agent.hcl)
# Renders the PEM trust bundle of the live keys of service "web" (mount "herald") and keeps it
# current. The token in token_file_path needs only: path "herald/discover/web" { capabilities = ["read"] }

vault {
  address = "https://vault.example.internal:8200"
}

auto_auth {
  # Any auth method works; a token file is the simplest. Kubernetes, AppRole, JWT... as usual.
  method "token_file" {
    config = {
      token_file_path = "/etc/herald-agent/token"
    }
  }
}

template_config {
  # Stop (and let the supervisor restart the agent) instead of serving a stale bundle forever
  # when the server cannot be read.
  exit_on_retry_failure = true
}

template {
  source               = "trust-bundle.pem.ctmpl"
  destination          = "/etc/herald-agent/web-trust-bundle.pem"
  error_on_missing_key = true
  perms                = "0644"
  # command = "systemctl reload my-consumer"   # run after each change of the bundle
}
