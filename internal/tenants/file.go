package tenants

import (
	"bytes"
	"encoding/base64"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// fileTenant is one tenant of the config file's tenants section: the shape of POST
// /__sandbox/tenants's answer, keys in Base64.
type fileTenant struct {
	Tenant     string `yaml:"tenant"`
	AdminToken string `yaml:"adminToken"`
	DCMS       struct {
		Username  string `yaml:"username"`
		Password  string `yaml:"password"`
		SetPinKey string `yaml:"setPinKey"`
	} `yaml:"dcms"`
	DMT struct {
		ClientSecret string `yaml:"clientSecret"`
		PassKey      string `yaml:"passKey"`
		Key          string `yaml:"key"`
	} `yaml:"dmt"`
	Profile struct {
		AppID     string `yaml:"appId"`
		AppSecret string `yaml:"appSecret"`
	} `yaml:"profile"`
}

// FromYAML reads the config file's tenants section: a list of tenants, each with every
// credential given (see Credentials.Check). Unknown keys are errors.
func FromYAML(n *yaml.Node) ([]Credentials, error) {
	data, err := yaml.Marshal(n)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var list []fileTenant
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("want a list of tenants (tenant, adminToken, dcms, dmt, profile): %w", err)
	}
	out := make([]Credentials, 0, len(list))
	seen := map[string]bool{}
	for _, t := range list {
		c := Credentials{Tenant: t.Tenant, AdminToken: t.AdminToken, Record: Record{
			DCMS:    DCMS{Username: t.DCMS.Username, Password: t.DCMS.Password},
			DMT:     DMT{ClientSecret: t.DMT.ClientSecret, PassKey: t.DMT.PassKey},
			Profile: Profile{AppID: t.Profile.AppID, AppSecret: t.Profile.AppSecret},
		}}
		if c.DCMS.SetPinKey, err = base64.StdEncoding.DecodeString(t.DCMS.SetPinKey); err != nil {
			return nil, fmt.Errorf("tenant %s: dcms.setPinKey is not Base64", t.Tenant)
		}
		if c.DMT.Key, err = base64.StdEncoding.DecodeString(t.DMT.Key); err != nil {
			return nil, fmt.Errorf("tenant %s: dmt.key is not Base64", t.Tenant)
		}
		if err := c.Check(); err != nil {
			return nil, err
		}
		if seen[c.Tenant] {
			return nil, fmt.Errorf("tenant %s is declared twice", c.Tenant)
		}
		seen[c.Tenant] = true
		out = append(out, c)
	}
	return out, nil
}
