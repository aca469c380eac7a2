terraform {
  # OpenTofu 1.6+ or Terraform 1.5+.
  required_version = ">= 1.5"

  required_providers {
    vault = {
      # The same provider drives Vault and OpenBao. Versioned plugins need 3.10+; this example was
      # run with 5.11.0 (README.md).
      source  = "hashicorp/vault"
      version = ">= 4.0"
    }
  }
}

# VAULT_ADDR and VAULT_TOKEN (the provider reads them; BAO_ names are not read) name the server and
# a token with sudo on sys/plugins/catalog, write on sys/mounts and on this mount's paths.
provider "vault" {}
