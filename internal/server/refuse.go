package server

import (
	"errors"
	"fmt"
)

// Answers are an operation's documented refusals: for each HTTP status, the generated
// response of type R that carries the API's error body B at that status.
type Answers[B, R any] map[int]func(B) R

// Refuse turns a handler's error into the operation's typed answer, the one definition of
// "domain error -> typed response" for every API. refusal says whether err is a refusal of
// the domain and renders it (its status and the API's error body; it also names the call's
// outcome); any other error is the sandbox's own failure and is returned, for the strict
// server to answer as the API's 500. A refusal at a status the operation does not document
// is a sandbox bug: an error too, never an answer outside the contract.
func Refuse[B, R any](err error, refusal func(error) (status int, body B, ok bool), answers Answers[B, R]) (R, error) {
	var none R
	status, body, ok := refusal(err)
	if !ok {
		if err == nil {
			err = errors.New("a handler refused without a refusal or an error")
		}
		return none, err
	}
	answer, documented := answers[status]
	if !documented {
		return none, fmt.Errorf("a refusal at status %d is not documented for this operation (%v)", status, err)
	}
	return answer(body), nil
}
