locals {
  # As scripts/register-plugin.sh installs it: one command file per version, NAME-VERSION, with its
  # payload beside it as NAME-VERSION.d.
  command = "${var.plugin_name}-${var.plugin_version}"
}

# --- register and mount -----------------------------------------------------------------------------

resource "vault_plugin" "herald" {
  type    = "secret"
  name    = var.plugin_name
  version = var.plugin_version
  command = local.command
  sha256  = var.plugin_sha256

  lifecycle {
    precondition {
      condition = var.plugin_directory == null ? true : (
        fileexists("${var.plugin_directory}/${local.command}")
        && try(filesha256("${var.plugin_directory}/${local.command}"), "") == var.plugin_sha256
      )
      error_message = "${coalesce(var.plugin_directory, "-")}/${local.command} is missing or does not match plugin_sha256: install the package there first (scripts/register-plugin.sh --plugin-dir DIR --declare)."
    }
  }
}

resource "vault_mount" "herald" {
  path           = var.mount_path
  type           = vault_plugin.herald.name
  plugin_version = vault_plugin.herald.version
  description    = "Herald: signed discovery records of workload public keys"
  # Publications never outlive the mount's max lease TTL; keep it at least config max_ttl.
  max_lease_ttl_seconds = var.max_ttl_seconds
}

# --- config and roles ---------------------------------------------------------------------------------
# config and roles read back every field, with durations in seconds: ignore_absent_fields compares
# only the fields written here, and durations are written in seconds, so a second plan is empty.

resource "vault_generic_endpoint" "config" {
  path                 = "${vault_mount.herald.path}/config"
  ignore_absent_fields = true
  # config cannot be deleted; it goes with the mount.
  disable_delete = true
  data_json = jsonencode({
    max_ttl    = var.max_ttl_seconds
    record_ttl = var.record_ttl_seconds
  })
}

# Workloads publish themselves (herald publish ... --follow): instance = their pod's uid, from the
# JWT/Kubernetes login, and lease-bound publications that end with the workload's token.
resource "vault_generic_endpoint" "role_web" {
  path                 = "${vault_mount.herald.path}/roles/web"
  ignore_absent_fields = true
  data_json = jsonencode({
    services             = ["web", "web-*"]
    instance             = "{{alias.metadata.pod_uid}}"
    bound_mount_accessor = var.workload_auth_accessor
    ttl                  = 86400
    allowed_dns_names    = ["*.web.internal"]
    allowed_cidrs        = ["10.0.0.0/8"]
    allowed_ports        = ["8443"]
  })
  depends_on = [vault_generic_endpoint.config] # its ttl must fit the mount's max_ttl
}

# Static publications: an operator (here Terraform) publishes a host's key for it.
#  - allow_unbound: Terraform's token usually has no identity entity (a root token, or a child of
#    one); who may publish is then only the ACL on publish/<service>/*.
#  - lease_bound = false: the provider writes with a child token that it makes for each run and that
#    dies after max_lease_ttl_seconds (20 min); a lease-bound publication would end with it. Without
#    a lease the publication lives until its not_after (ttl), and no token's end cuts it short.
resource "vault_generic_endpoint" "role_static" {
  path                 = "${vault_mount.herald.path}/roles/static"
  ignore_absent_fields = true
  data_json = jsonencode({
    services          = [var.static_service]
    instance          = "*"
    allow_unbound     = true
    lease_bound       = false
    ttl               = var.static_ttl_seconds
    max_ttl           = var.static_ttl_seconds
    allowed_dns_names = var.static_allowed_dns_names
    allowed_ports     = var.static_allowed_ports
  })
  depends_on = [vault_generic_endpoint.config]
}

# --- the static publication -----------------------------------------------------------------------

resource "vault_generic_endpoint" "static_publication" {
  path = "${vault_mount.herald.path}/publish/${var.static_service}/${var.static_instance}"
  data_json = jsonencode({
    role      = "static"
    csr       = file(var.static_csr_file)
    endpoints = var.static_endpoints
  })
  # publish/ is write-only: there is nothing to read back (the record, below, shows it), and no
  # delete (a publication ends at not_after, by revoke/<service>/<instance>, or with the mount).
  # Writing the same body again answers unchanged=true, so a re-apply is harmless.
  disable_read   = true
  disable_delete = true
  write_fields   = ["generation", "fingerprint", "not_before", "not_after"]
  depends_on     = [vault_generic_endpoint.role_static]
}

# --- the signed record ------------------------------------------------------------------------------

# discover/<service>: the signed record of the service's live instances (a JWT, with its claims
# decoded beside it). It is public data, though the provider marks every read as sensitive.
data "vault_generic_secret" "record" {
  path       = "${vault_mount.herald.path}/discover/${var.static_service}"
  depends_on = [vault_generic_endpoint.static_publication]
}

locals {
  record = nonsensitive(jsondecode(data.vault_generic_secret.record.data_json))
}
