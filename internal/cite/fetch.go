package cite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// ErrUnknownURI is returned (wrapped) by MapFetcher and JSONFetcher for a
// URI they do not hold; Chain moves on to its next fetcher on it.
var ErrUnknownURI = errors.New("resource not available to the checker")

// MapFetcher serves contents from a map of URI → text.
func MapFetcher(m map[string]string) Fetcher {
	return func(_ context.Context, uri string) (string, error) {
		if s, ok := m[uri]; ok {
			return s, nil
		}
		return "", fmt.Errorf("cite: fetch %s: %w", uri, ErrUnknownURI)
	}
}

// JSONFetcher serves contents from a map of URI → value, encoding each
// value as JSON on first use — typically the source objects a tool already
// fetched, so checking costs no extra upstream call. It is safe for
// concurrent use.
func JSONFetcher(m map[string]any) Fetcher {
	var mu sync.Mutex
	cache := map[string]string{}
	return func(_ context.Context, uri string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := cache[uri]; ok {
			return s, nil
		}
		v, ok := m[uri]
		if !ok {
			return "", fmt.Errorf("cite: fetch %s: %w", uri, ErrUnknownURI)
		}
		if s, ok := v.(string); ok {
			cache[uri] = s
			return s, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("cite: encode %s: %w", uri, err)
		}
		cache[uri] = string(b)
		return string(b), nil
	}
}

// Chain tries each fetcher in turn: the first success wins; an error
// wrapping ErrUnknownURI moves on to the next fetcher, any other error is
// returned at once.
func Chain(fs ...Fetcher) Fetcher {
	return func(ctx context.Context, uri string) (string, error) {
		err := fmt.Errorf("cite: fetch %s: %w", uri, ErrUnknownURI)
		for _, f := range fs {
			if f == nil {
				continue
			}
			s, ferr := f(ctx, uri)
			if ferr == nil {
				return s, nil
			}
			if !errors.Is(ferr, ErrUnknownURI) {
				return "", ferr
			}
			err = ferr
		}
		return "", err
	}
}
