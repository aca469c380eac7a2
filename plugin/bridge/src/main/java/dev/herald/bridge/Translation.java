package dev.herald.bridge;

import com.google.protobuf.Timestamp;
import dev.herald.proto.pb.LeaseOptions;
import dev.herald.proto.pb.ProtoError;
import dev.herald.proto.pb.Secret;
import dev.herald.proto.pb.ResponseWrapInfo;
import dev.herald.sdk.Caller;
import dev.herald.sdk.Durations;
import dev.herald.sdk.Lease;
import dev.herald.sdk.Operation;
import dev.herald.sdk.RawBody;
import dev.herald.sdk.Request;
import dev.herald.sdk.Response;
import dev.herald.sdk.VaultException;
import dev.herald.sdk.json.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** pb.Request to sdk {@link Request}, sdk {@link Response} to pb.Response, and failures to ProtoError. */
final class Translation {
    private Translation() {
    }

    // ProtoError.err_type values understood by both servers.
    static final int ERR_INTERNAL = 2;
    static final int ERR_CODED = 3;
    static final int ERR_UNSUPPORTED_OPERATION = 5;
    static final int ERR_UNSUPPORTED_PATH = 6;
    static final int ERR_UNKNOWN = 0;
    /** The message a standby's server takes as "forward this request to the active node". */
    static final String READ_ONLY = "cannot write to readonly storage";

    /**
     * @throws VaultException for an operation this sdk does not know (e.g. the login-only
     *                        {@code alias-lookahead}), as "unsupported operation"
     */
    static Request request(dev.herald.proto.pb.Request wire) {
        Operation operation = Operation.fromWireName(wire.getOperation()).orElseThrow(() ->
                VaultException.unsupportedOperation("operation " + wire.getOperation() + " is not supported"));
        Caller caller = new Caller(wire.getEntityId(), wire.getClientTokenAccessor(), wire.getDisplayName(),
                wire.hasConnection() ? wire.getConnection().getRemoteAddr() : "");
        Request.MountInfo mount = new Request.MountInfo(wire.getMountPoint(), wire.getMountType(), wire.getMountAccessor());
        Duration wrapTtl = wire.hasWrapInfo() && wire.getWrapInfo().getTTL() > 0
                ? Duration.ofNanos(wire.getWrapInfo().getTTL()) : null;
        if ((operation == Operation.RENEW || operation == Operation.REVOKE) && wire.hasSecret()) {
            return Request.forLease(wire.getId(), operation, wire.getPath(), Json.parseObject(wire.getData()), caller,
                    mount, lease(wire.getSecret()));
        }
        // The body is parsed only once the router has found the path and the operation: a write to
        // a read-only path (jwks takes no token) is refused without parsing what came with it.
        return Request.decodingBody(wire.getId(), operation, wire.getPath(), () -> Json.parseObject(wire.getData()),
                caller, mount, wrapTtl);
    }

    /** The lease the server kept, as a renew or revoke request carries it. */
    static Lease lease(Secret secret) {
        Map<String, Object> internal = secret.getInternalData().isEmpty()
                ? Map.of() : Json.parseObject(secret.getInternalData());
        LeaseOptions options = secret.getLeaseOptions();
        Instant issued = options.hasIssueTime()
                ? Instant.ofEpochSecond(options.getIssueTime().getSeconds(), options.getIssueTime().getNanos()) : null;
        String type = internal.get(Lease.SECRET_TYPE_KEY) instanceof String s ? s : "";
        return new Lease(type, internal, Duration.ofNanos(Math.max(0, options.getTTL())),
                Duration.ofNanos(Math.max(0, options.getMaxTTL())), options.getRenewable(), issued,
                Duration.ofNanos(Math.max(0, options.getIncrement())), secret.getLeaseId());
    }

    /** A lease as the server wants it: the secret type in the internal data, and always an issue time. */
    static Secret secret(Lease lease, Instant now) {
        Map<String, Object> internal = new LinkedHashMap<>(lease.internalData());
        internal.put(Lease.SECRET_TYPE_KEY, lease.secretType());
        return Secret.newBuilder()
                .setLeaseOptions(LeaseOptions.newBuilder()
                        .setTTL(Durations.toNanos(lease.ttl()))
                        .setMaxTTL(Durations.toNanos(lease.maxTtl()))
                        .setRenewable(lease.renewable())
                        .setIncrement(Durations.toNanos(lease.increment()))
                        .setIssueTime(timestamp(lease.issueTime() == null ? now : lease.issueTime())))
                .setInternalData(Json.write(internal))
                .setLeaseId(lease.leaseId())
                .build();
    }

    /** The wire response, or null for "no response" (a 404 for reads, 204 for writes). */
    static dev.herald.proto.pb.Response response(Response response, Instant now) {
        if (response.isNone()) {
            return null;
        }
        if (response.raw().isPresent()) {
            return dev.herald.proto.pb.Response.newBuilder().setData(Json.write(rawData(response.raw().get()))).build();
        }
        dev.herald.proto.pb.Response.Builder wire = dev.herald.proto.pb.Response.newBuilder()
                .setData(Json.write(response.data()))
                .addAllWarnings(response.warnings());
        response.lease().ifPresent(lease -> wire.setSecret(secret(lease, now)));
        response.wrapTtl().ifPresent(ttl -> wire.setWrapInfo(ResponseWrapInfo.newBuilder()
                .setTTL(Durations.toNanos(ttl))
                .setCreationTime(timestamp(now))));
        return wire.build();
    }

    // The data keys of the Go sdk (logical.HTTPStatusCode, HTTPContentType, HTTPRawBody,
    // HTTPCacheControlHeader): a response whose data holds the status is answered raw by both servers.
    static final String HTTP_STATUS_CODE = "http_status_code";
    static final String HTTP_CONTENT_TYPE = "http_content_type";
    static final String HTTP_RAW_BODY = "http_raw_body";
    static final String HTTP_CACHE_CONTROL = "http_raw_cache_control";

    /**
     * A raw answer as response data. The data crosses gRPC as JSON, so the body travels as a
     * string; the servers base64-decode a string body when it decodes and send it as it is
     * otherwise. Always base64: a body that happens to be valid base64 would be decoded.
     */
    static Map<String, Object> rawData(RawBody raw) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(HTTP_STATUS_CODE, raw.status());
        data.put(HTTP_CONTENT_TYPE, raw.contentType());
        data.put(HTTP_RAW_BODY, Base64.getEncoder().encodeToString(raw.body()));
        raw.cacheControl().ifPresent(value -> data.put(HTTP_CACHE_CONTROL, value));
        return data;
    }

    static Timestamp timestamp(Instant time) {
        return Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()).build();
    }

    /**
     * Puts a caller-facing failure into a reply. A 400 travels as an error response ({@code {"error": msg}}
     * data, no error), which the servers answer with a plain {@code {"errors": [msg]}}. Other statuses
     * travel as coded errors: an error response would turn them into 400s.
     */
    static void reject(VaultException e, dev.herald.proto.pb.HandleRequestReply.Builder reply) {
        if (e.status() == 400 && e.kind() == VaultException.Kind.CODED) {
            reply.setResponse(dev.herald.proto.pb.Response.newBuilder()
                    .setData(Json.write(java.util.Map.of("error", e.getMessage()))));
        } else {
            reply.setErr(error(e));
        }
    }

    /** A caller-facing failure as the server expects it: its status survives to the HTTP answer. */
    static ProtoError error(VaultException e) {
        return switch (e.kind()) {
            case UNSUPPORTED_OPERATION -> protoError(ERR_UNSUPPORTED_OPERATION, e.getMessage(), 0);
            case UNSUPPORTED_PATH -> protoError(ERR_UNSUPPORTED_PATH, e.getMessage(), 0);
            case CODED -> protoError(ERR_CODED, e.getMessage(), e.status());
            // Exactly the Go sdk's logical.ErrReadOnly: OpenBao forwards on a substring of it, Vault
            // Enterprise's performance standbys on the whole message; the reason stays in our log.
            case FORWARD_TO_ACTIVE -> protoError(ERR_UNKNOWN, READ_ONLY, 0);
        };
    }

    static ProtoError protoError(int type, String message, long code) {
        return ProtoError.newBuilder().setErrType(type).setErrMsg(message).setErrCode(code).build();
    }
}
