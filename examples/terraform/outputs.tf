output "mount_accessor" {
  description = "Accessor of the Herald mount."
  value       = vault_mount.herald.accessor
}

output "static_publication" {
  description = "What the publish answered: generation, fingerprint (sha256 of the key), not_before and not_after (epoch seconds)."
  value       = vault_generic_endpoint.static_publication.write_data
}

# Only fields that stay the same from one read to the next: iat, exp, jti and the compact JWT
# change every record_ttl / 4, and an output built on them would show as a change in every plan.
output "record" {
  description = "The record of static_service as the server signs it: issuer, sequence and live instances."
  value = {
    issuer = local.record.iss
    seq    = local.record.seq
    instances = [for i in local.record.instances : {
      instance    = i.instance
      generation  = i.generation
      fingerprint = i.fingerprint
      endpoints   = i.endpoints
      not_after   = i.not_after
    }]
  }
}
