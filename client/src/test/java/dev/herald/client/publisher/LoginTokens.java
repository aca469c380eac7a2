package dev.herald.client.publisher;

import dev.herald.client.TokenSource;
import java.util.ArrayList;
import java.util.List;

/** A token source that logs in again ("token-2", "token-3", ...) when told its token was rejected. */
final class LoginTokens implements TokenSource {
    private int login = 1;
    final List<String> rejected = new ArrayList<>();

    @Override
    public synchronized String token() {
        return "token-" + login;
    }

    @Override
    public synchronized void rejected(String token) {
        rejected.add(token);
        if (token.equals(token())) {
            login++;
        }
    }
}
