package dmt

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"

	gen "github.com/partnersandbox/sandbox/generated/dmt"
	"github.com/partnersandbox/sandbox/internal/server"
	"github.com/partnersandbox/sandbox/partner"
	"github.com/partnersandbox/sandbox/scenarios"
)

// seedName is the name a forced "customer exists" answer shows for an unknown number:
// the customer of seed 001's samples.
const seedName = "Chandan Pradhan"

func (a *API) GetCustomer(ctx context.Context, req gen.GetCustomerRequestObject) (gen.GetCustomerResponseObject, error) {
	rep, err := a.exchange(ctx, a.ops["getCustomer"], req.Params.XSandboxScenario, func(ctx context.Context, tenant string, in request) (result, error) {
		return a.svc.GetCustomer(ctx, tenant, in.str("mobileNumber"), in.str("username"))
	})
	if r, err, answered := refused[gen.GetCustomerResponseObject, gen.GetCustomer500JSONResponse, gen.GetCustomer503JSONResponse](rep, err); answered {
		return r, err
	}
	return gen.GetCustomer200JSONResponse(rep.body), nil
}

func (a *API) ProcessCustomerRegistration(ctx context.Context, req gen.ProcessCustomerRegistrationRequestObject) (gen.ProcessCustomerRegistrationResponseObject, error) {
	rep, err := a.exchange(ctx, a.ops["processCustomerRegistration"], req.Params.XSandboxScenario, func(ctx context.Context, tenant string, in request) (result, error) {
		return a.svc.Register(ctx, tenant, Registration{
			Mobile: in.str("mobileNumber"), Name: in.str("name"), Address: in.str("address"), Pincode: in.str("pincode"),
			OvdType: in.str("ovdType"), OvdData: in.str("ovdData"), Otp: in.str("otp"), Username: in.str("username"),
		})
	})
	if r, err, answered := refused[gen.ProcessCustomerRegistrationResponseObject, gen.ProcessCustomerRegistration500JSONResponse, gen.ProcessCustomerRegistration503JSONResponse](rep, err); answered {
		return r, err
	}
	return gen.ProcessCustomerRegistration200JSONResponse(rep.body), nil
}

func (a *API) SendOtp(ctx context.Context, req gen.SendOtpRequestObject) (gen.SendOtpResponseObject, error) {
	rep, err := a.exchange(ctx, a.ops["sendOtp"], req.Params.XSandboxScenario, func(ctx context.Context, tenant string, in request) (result, error) {
		return a.svc.SendOtp(ctx, tenant, OtpRequest{
			Mobile: in.str("customerMobileNumber"), Username: in.str("username"), Type: in.str("otpType"), Amount: in.str("requestedAmount"),
		})
	})
	if r, err, answered := refused[gen.SendOtpResponseObject, gen.SendOtp500JSONResponse, gen.SendOtp503JSONResponse](rep, err); answered {
		return r, err
	}
	return gen.SendOtp200JSONResponse(rep.body), nil
}

// refused is an exchange's reply when it is no 200: the error, or the operation's typed
// 500 or 503 answer (R is the operation's response type, Internal and Down the generated
// types of those answers; server.Refuse). answered is false for a 200, which the
// operation renders.
func refused[R any, Internal ~struct{ gen.InternalErrorJSONResponse }, Down ~struct {
	gen.ServiceUnavailableJSONResponse
}](rep reply, err error) (r R, _ error, answered bool) {
	if err == nil && rep.status == http.StatusOK {
		return r, nil, false
	}
	r, err = server.Refuse(err, func(err error) (int, gen.CustomerResponse, bool) { return rep.status, rep.plain, err == nil },
		server.Answers[gen.CustomerResponse, R]{
			http.StatusInternalServerError: func(b gen.CustomerResponse) R { return any(Internal{gen.InternalErrorJSONResponse(b)}).(R) },
			http.StatusServiceUnavailable:  func(b gen.CustomerResponse) R { return any(Down{gen.ServiceUnavailableJSONResponse(b)}).(R) },
		})
	return r, err, true
}

// reply is an operation's answer: a 200 body (plain or encrypted) or another status with
// a plain body.
type reply struct {
	status int
	body   gen.CustomerResponseBody
	plain  gen.CustomerResponse
}

// requestFault are the refusals a request's own values cause, not the state.
var requestFault = map[string]bool{
	outInvalidMobile: true, outInvalidPincode: true, outOvdIncomplete: true, outInvalidOvdData: true, outInvalidAmount: true,
}

type domainFunc func(ctx context.Context, tenant string, in request) (result, error)

// exchange is the part every operation shares: read the plain or encrypted body (the raw
// bytes the pipeline read, not a re-encoding of what the generated code decoded), check
// it, take a forced outcome or ask the domain, and answer in the body's variant. Only a
// 200 answer to a body that decrypted is encrypted.
func (a *API) exchange(ctx context.Context, o *opSpec, scenario *string, do domainFunc) (reply, error) {
	call := server.CallFrom(ctx)
	in, key, fail := a.readBody(call, o)
	forced := call.Forced
	if fail == nil && forced == nil && key != nil && scenario == nil {
		// The pipeline looked for magic values in the ciphertext; look in the plain text
		// (unless the header chose, as it does over magic values in a plain body).
		forced = magicOutcome(call.Op, in)
	}
	var res result
	var err error
	switch {
	case fail != nil:
		res = *fail
	case forced != nil && forced.Status != http.StatusOK:
		call.Outcome = forced.Name
		return reply{status: forced.Status, plain: gen.CustomerResponse{Status: gen.FAILED, StatusCode: gen.CustomerResponseStatusCode(forced.Code), StatusDesc: forced.Message}}, nil
	case forced != nil:
		res, err = a.forced(ctx, o, call.Tenant, forced.Name, in)
	default:
		res, err = do(ctx, call.Tenant, in)
		if info := o.outcome(res.outcome); call.ForcedOK && err == nil && !success(info.code) && !requestFault[res.outcome] {
			res.desc = call.Refusal(cmp.Or(res.desc, info.desc))
		}
	}
	if err != nil {
		return reply{}, err
	}
	call.Outcome = res.outcome
	name := res.name
	if name == "" {
		name = o.echoName(in)
	}
	return answerIn(call, o.render(res, in, name), key)
}

// readBody parses the plain or encrypted body. key is the client's key when the body was
// encrypted with it (the answer is encrypted then), nil for a plain body or one the key
// did not encrypt (the partner could not read an answer encrypted with it). A body that
// decrypts is kept in the call in clear, for the journal.
func (a *API) readBody(call *server.Call, o *opSpec) (request, []byte, *result) {
	in, cipherText, fail := o.parse(call.Body)
	if cipherText == nil {
		return in, nil, fail
	}
	key := a.Key(call.Tenant)
	plain, err := partner.DecryptDMT(key, *cipherText)
	if err != nil {
		return in, nil, &result{outcome: outUndecryptable, desc: "Unable to decrypt RequestData: " + err.Error()}
	}
	call.Clear.Request = plain
	in, fail = o.parsePlain(plain)
	if fail != nil && fail.outcome == outUndecryptable {
		return in, nil, fail // it decrypts, but to nothing a partner could have sent
	}
	return in, key, fail
}

// answerIn is a 200 answer, encrypted with key when the request was (the call keeps it in
// clear, for the journal).
func answerIn(call *server.Call, out gen.CustomerResponse, key []byte) (reply, error) {
	rep := reply{status: http.StatusOK}
	if key == nil {
		err := rep.body.FromCustomerResponse(out)
		return rep, err
	}
	plain, err := json.Marshal(out)
	if err != nil {
		return reply{}, err
	}
	call.Clear.Answer = plain
	ct, err := partner.EncryptDMT(key, plain)
	if err != nil {
		return reply{}, err
	}
	err = rep.body.FromEncryptedResponse(gen.EncryptedResponse{ResponseData: ct})
	return rep, err
}

// forced renders an outcome the client forced. Nothing is stored; an answer about an
// existing customer shows the stored name, or the seed's when there is none.
func (a *API) forced(ctx context.Context, o *opSpec, tenant, name string, in request) (result, error) {
	res := result{outcome: name}
	if o.echo == echoCustomer && name != outCustomerNotOnboarded && success(outcomes[name].code) {
		stored, err := a.svc.CustomerName(ctx, tenant, in.str(o.mobile))
		if err != nil {
			return res, err
		}
		res.name = stored
		if stored == "" {
			res.name = seedName
		}
	}
	return res, nil
}

// magicOutcome finds the outcome whose magic value a decrypted body carries.
func magicOutcome(op *scenarios.Operation, in request) *scenarios.Outcome {
	if op == nil {
		return nil
	}
	for i := range op.Outcomes {
		for _, m := range op.Outcomes[i].Magic {
			if in.str(m.Field) == m.Value {
				return &op.Outcomes[i]
			}
		}
	}
	return nil
}
