# --- the plugin -----------------------------------------------------------------------------------

variable "plugin_version" {
  description = "Herald's version, as in herald.d/VERSION of the package (v0.1.0). The catalog registers it under this version, and its command is <plugin_name>-<plugin_version> in the server's plugin_directory."
  type        = string
  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$", var.plugin_version))
    error_message = "plugin_version is a semantic version with a leading v, like v0.1.0 (herald.d/VERSION)."
  }
}

variable "plugin_sha256" {
  description = "SHA-256 of the herald shim, as in herald.sha256 of the package. The server runs the command only if it matches."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.plugin_sha256))
    error_message = "plugin_sha256 is 64 lower-case hex digits (the content of herald.sha256)."
  }
}

variable "plugin_directory" {
  description = "The server's plugin_directory, when Terraform runs on the server host: the plan then checks that <plugin_name>-<plugin_version> is there and matches plugin_sha256. Leave null when Terraform runs elsewhere. Terraform does not copy the files: scripts/register-plugin.sh --declare does (on every node)."
  type        = string
  default     = null
}

variable "plugin_name" {
  description = "Catalog name of the plugin, and the mount's type."
  type        = string
  default     = "herald"
}

variable "mount_path" {
  description = "Where to mount Herald."
  type        = string
  default     = "herald"
}

# --- the mount's settings and roles ---------------------------------------------------------------

variable "record_ttl_seconds" {
  description = "Freshness of signed records (config record_ttl), in seconds: durations are read back in seconds, so seconds here keep the plan empty."
  type        = number
  default     = 300
}

variable "max_ttl_seconds" {
  description = "Longest lifetime of any publication on this mount (config max_ttl), in seconds; at most the mount's max_lease_ttl."
  type        = number
  default     = 2592000 # 30 days
}

variable "workload_auth_accessor" {
  description = "Accessor of the auth mount (jwt, kubernetes) that workloads log in through; publications under the workload role must come from it. Empty: any identity."
  type        = string
  default     = ""
}

# --- the static publication -------------------------------------------------------------------------

variable "static_service" {
  description = "Service of the static publication: a host that cannot log in and publish by itself (an appliance, a legacy VM), whose key an operator publishes."
  type        = string
  default     = "legacy-db"
}

variable "static_instance" {
  description = "Instance name of the static publication."
  type        = string
  default     = "db1"
}

variable "static_csr_file" {
  description = "PKCS#10 request (PEM) of the host's key, made on the host; its signature proves the key's owner asked. Only the request is read: the private key never leaves the host."
  type        = string
}

variable "static_endpoints" {
  description = "Endpoints (host:port) of the static publication; within static_allowed_dns_names and static_allowed_ports."
  type        = list(string)
  default     = ["db1.legacy.internal:5432"]
}

variable "static_allowed_dns_names" {
  description = "DNS names (globs) the static role may claim."
  type        = list(string)
  default     = ["*.legacy.internal"]
}

variable "static_allowed_ports" {
  description = "Ports (or ranges, \"8000-8100\") the static role's endpoints may use."
  type        = list(string)
  default     = ["5432"]
}

variable "static_ttl_seconds" {
  description = "Lifetime of the static publication, in seconds (at most max_ttl_seconds). It ends then: publish again before (README.md)."
  type        = number
  default     = 2592000 # 30 days
}
