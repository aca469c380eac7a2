# OpenBao (2.5+) server configuration that comes up with Herald registered and mounted at herald/,
# from this file alone: no `plugin register`, no `secrets enable`, no `operator init`.
# See "Declaring Herald in OpenBao's configuration" in README.md. Vault has no such stanza.
#
# Before the first start:
#   scripts/register-plugin.sh --plugin-dir /var/lib/openbao/plugins --declare
#     copies the shim and its payload in as herald-VERSION and herald-VERSION.d, and prints the
#     `plugin` stanza below with this build's version and sha256: paste it over the one here
#   openssl rand -out /etc/openbao/unseal.key 32        (the static seal's key; keep it secret)
#   openssl rand -hex 16 | tr -d '\n' > /etc/openbao/admin-password     (the first admin's password,
#                                                                         read as is: no newline)
#   chmod 600 /etc/openbao/unseal.key /etc/openbao/admin-password
# Check the file with: bao operator validate-config -config=/etc/openbao/herald.hcl

storage "raft" {
  path    = "/var/lib/openbao/data"
  node_id = "bao-1"
}

listener "tcp" {
  address         = "127.0.0.1:8200"
  cluster_address = "127.0.0.1:8201"
  tls_disable     = true # loopback only; give it tls_cert_file / tls_key_file for anything else
}

api_addr     = "http://127.0.0.1:8200"
cluster_addr = "https://127.0.0.1:8201"

# The real path: OpenBao runs a plugin only if it lies directly in this directory, and the path
# must not go through a symlink.
plugin_directory = "/var/lib/openbao/plugins"

# The default since OpenBao 2.7; 2.5 and 2.6 ignore plugin stanzas without it.
plugin_auto_register = true

# Registered at every unseal (and on SIGHUP) as a declarative catalog entry. Removing the stanza
# removes the entry at the next unseal; a mount of a version no longer declared stops working.
plugin "secret" "herald" {
  command   = "herald-v0.1.0"
  version   = "v0.1.0"
  sha256sum = "0000000000000000000000000000000000000000000000000000000000000000"
}

# Self-initialisation (below) needs an auto-unseal; the static seal is the simplest.
seal "static" {
  current_key_id = "herald-1"
  current_key    = "file:///etc/openbao/unseal.key"
}

# Runs once, on the first start with empty storage, after the plugin above is registered. The
# root token it runs with is revoked at the end: the admin user is the way in.
initialize "identity" {
  request "admin-policy" {
    operation = "update"
    path      = "sys/policies/acl/admin"
    data = {
      policy = "path \"*\" { capabilities = [\"create\", \"read\", \"update\", \"patch\", \"delete\", \"list\", \"sudo\"] }"
    }
  }
  request "userpass" {
    operation = "update"
    path      = "sys/auth/userpass"
    data      = { type = "userpass" }
  }
  request "admin-user" {
    operation = "update"
    path      = "auth/userpass/users/admin"
    data = {
      password = {
        eval_type   = "string"
        eval_source = "file"
        path        = "/etc/openbao/admin-password"
      }
      token_policies = ["admin"]
    }
  }
}

initialize "herald" {
  request "mount-herald" {
    operation = "update"
    path      = "sys/mounts/herald"
    data      = { type = "herald" } # no version: the highest declared one
  }
}
