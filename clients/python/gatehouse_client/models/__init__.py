""" Contains all the data models used in inputs/outputs """

from .auth_js_session import AuthJsSession
from .auth_js_user import AuthJsUser
from .get_auth_js_session_error_503 import GetAuthJsSessionError503
from .get_auth_js_session_error_503_code import GetAuthJsSessionError503Code
from .get_session_error_503 import GetSessionError503
from .get_session_error_503_code import GetSessionError503Code
from .jwks_error_404 import JwksError404
from .jwks_error_404_code import JwksError404Code
from .jwks_response_200 import JwksResponse200
from .ok_response import OkResponse
from .openapi_response_200 import OpenapiResponse200
from .readyz_error_503 import ReadyzError503
from .readyz_error_503_code import ReadyzError503Code
from .session import Session
from .session_response import SessionResponse
from .sign_in_email_body import SignInEmailBody
from .sign_in_email_body_form import SignInEmailBodyForm
from .sign_in_email_error_400 import SignInEmailError400
from .sign_in_email_error_400_code import SignInEmailError400Code
from .sign_in_email_error_401 import SignInEmailError401
from .sign_in_email_error_401_code import SignInEmailError401Code
from .sign_in_email_error_403 import SignInEmailError403
from .sign_in_email_error_403_code import SignInEmailError403Code
from .sign_in_email_error_413 import SignInEmailError413
from .sign_in_email_error_413_code import SignInEmailError413Code
from .sign_in_email_error_415 import SignInEmailError415
from .sign_in_email_error_415_code import SignInEmailError415Code
from .sign_in_email_error_429 import SignInEmailError429
from .sign_in_email_error_429_code import SignInEmailError429Code
from .sign_in_email_error_503 import SignInEmailError503
from .sign_in_email_error_503_code import SignInEmailError503Code
from .sign_in_error_400 import SignInError400
from .sign_in_error_400_code import SignInError400Code
from .sign_in_error_401 import SignInError401
from .sign_in_error_401_code import SignInError401Code
from .sign_in_error_403 import SignInError403
from .sign_in_error_403_code import SignInError403Code
from .sign_in_error_413 import SignInError413
from .sign_in_error_413_code import SignInError413Code
from .sign_in_error_415 import SignInError415
from .sign_in_error_415_code import SignInError415Code
from .sign_in_error_422 import SignInError422
from .sign_in_error_422_code import SignInError422Code
from .sign_in_error_429 import SignInError429
from .sign_in_error_429_code import SignInError429Code
from .sign_in_error_503 import SignInError503
from .sign_in_error_503_code import SignInError503Code
from .sign_in_response import SignInResponse
from .sign_in_username_body import SignInUsernameBody
from .sign_in_username_body_form import SignInUsernameBodyForm
from .sign_in_username_error_400 import SignInUsernameError400
from .sign_in_username_error_400_code import SignInUsernameError400Code
from .sign_in_username_error_401 import SignInUsernameError401
from .sign_in_username_error_401_code import SignInUsernameError401Code
from .sign_in_username_error_403 import SignInUsernameError403
from .sign_in_username_error_403_code import SignInUsernameError403Code
from .sign_in_username_error_413 import SignInUsernameError413
from .sign_in_username_error_413_code import SignInUsernameError413Code
from .sign_in_username_error_415 import SignInUsernameError415
from .sign_in_username_error_415_code import SignInUsernameError415Code
from .sign_in_username_error_422 import SignInUsernameError422
from .sign_in_username_error_422_code import SignInUsernameError422Code
from .sign_in_username_error_429 import SignInUsernameError429
from .sign_in_username_error_429_code import SignInUsernameError429Code
from .sign_in_username_error_503 import SignInUsernameError503
from .sign_in_username_error_503_code import SignInUsernameError503Code
from .sign_out_body import SignOutBody
from .sign_out_error_400 import SignOutError400
from .sign_out_error_400_code import SignOutError400Code
from .sign_out_error_403 import SignOutError403
from .sign_out_error_403_code import SignOutError403Code
from .sign_out_error_413 import SignOutError413
from .sign_out_error_413_code import SignOutError413Code
from .sign_out_error_415 import SignOutError415
from .sign_out_error_415_code import SignOutError415Code
from .sign_out_error_429 import SignOutError429
from .sign_out_error_429_code import SignOutError429Code
from .sign_out_error_503 import SignOutError503
from .sign_out_error_503_code import SignOutError503Code
from .sign_up_body import SignUpBody
from .sign_up_body_form import SignUpBodyForm
from .sign_up_email_error_400 import SignUpEmailError400
from .sign_up_email_error_400_code import SignUpEmailError400Code
from .sign_up_email_error_403 import SignUpEmailError403
from .sign_up_email_error_403_code import SignUpEmailError403Code
from .sign_up_email_error_413 import SignUpEmailError413
from .sign_up_email_error_413_code import SignUpEmailError413Code
from .sign_up_email_error_415 import SignUpEmailError415
from .sign_up_email_error_415_code import SignUpEmailError415Code
from .sign_up_email_error_422 import SignUpEmailError422
from .sign_up_email_error_422_code import SignUpEmailError422Code
from .sign_up_email_error_429 import SignUpEmailError429
from .sign_up_email_error_429_code import SignUpEmailError429Code
from .sign_up_email_error_503 import SignUpEmailError503
from .sign_up_email_error_503_code import SignUpEmailError503Code
from .sign_up_error_400 import SignUpError400
from .sign_up_error_400_code import SignUpError400Code
from .sign_up_error_403 import SignUpError403
from .sign_up_error_403_code import SignUpError403Code
from .sign_up_error_413 import SignUpError413
from .sign_up_error_413_code import SignUpError413Code
from .sign_up_error_415 import SignUpError415
from .sign_up_error_415_code import SignUpError415Code
from .sign_up_error_422 import SignUpError422
from .sign_up_error_422_code import SignUpError422Code
from .sign_up_error_429 import SignUpError429
from .sign_up_error_429_code import SignUpError429Code
from .sign_up_error_503 import SignUpError503
from .sign_up_error_503_code import SignUpError503Code
from .sign_up_response import SignUpResponse
from .status_response import StatusResponse
from .success_response import SuccessResponse
from .user import User
from .verify_delete_error_401 import VerifyDeleteError401
from .verify_delete_error_401_code import VerifyDeleteError401Code
from .verify_delete_error_503 import VerifyDeleteError503
from .verify_delete_error_503_code import VerifyDeleteError503Code
from .verify_get_error_401 import VerifyGetError401
from .verify_get_error_401_code import VerifyGetError401Code
from .verify_get_error_503 import VerifyGetError503
from .verify_get_error_503_code import VerifyGetError503Code
from .verify_head_error_401 import VerifyHeadError401
from .verify_head_error_401_code import VerifyHeadError401Code
from .verify_head_error_503 import VerifyHeadError503
from .verify_head_error_503_code import VerifyHeadError503Code
from .verify_options_error_401 import VerifyOptionsError401
from .verify_options_error_401_code import VerifyOptionsError401Code
from .verify_options_error_503 import VerifyOptionsError503
from .verify_options_error_503_code import VerifyOptionsError503Code
from .verify_patch_error_401 import VerifyPatchError401
from .verify_patch_error_401_code import VerifyPatchError401Code
from .verify_patch_error_503 import VerifyPatchError503
from .verify_patch_error_503_code import VerifyPatchError503Code
from .verify_post_error_401 import VerifyPostError401
from .verify_post_error_401_code import VerifyPostError401Code
from .verify_post_error_503 import VerifyPostError503
from .verify_post_error_503_code import VerifyPostError503Code
from .verify_put_error_401 import VerifyPutError401
from .verify_put_error_401_code import VerifyPutError401Code
from .verify_put_error_503 import VerifyPutError503
from .verify_put_error_503_code import VerifyPutError503Code

__all__ = (
    "AuthJsSession",
    "AuthJsUser",
    "GetAuthJsSessionError503",
    "GetAuthJsSessionError503Code",
    "GetSessionError503",
    "GetSessionError503Code",
    "JwksError404",
    "JwksError404Code",
    "JwksResponse200",
    "OkResponse",
    "OpenapiResponse200",
    "ReadyzError503",
    "ReadyzError503Code",
    "Session",
    "SessionResponse",
    "SignInEmailBody",
    "SignInEmailBodyForm",
    "SignInEmailError400",
    "SignInEmailError400Code",
    "SignInEmailError401",
    "SignInEmailError401Code",
    "SignInEmailError403",
    "SignInEmailError403Code",
    "SignInEmailError413",
    "SignInEmailError413Code",
    "SignInEmailError415",
    "SignInEmailError415Code",
    "SignInEmailError429",
    "SignInEmailError429Code",
    "SignInEmailError503",
    "SignInEmailError503Code",
    "SignInError400",
    "SignInError400Code",
    "SignInError401",
    "SignInError401Code",
    "SignInError403",
    "SignInError403Code",
    "SignInError413",
    "SignInError413Code",
    "SignInError415",
    "SignInError415Code",
    "SignInError422",
    "SignInError422Code",
    "SignInError429",
    "SignInError429Code",
    "SignInError503",
    "SignInError503Code",
    "SignInResponse",
    "SignInUsernameBody",
    "SignInUsernameBodyForm",
    "SignInUsernameError400",
    "SignInUsernameError400Code",
    "SignInUsernameError401",
    "SignInUsernameError401Code",
    "SignInUsernameError403",
    "SignInUsernameError403Code",
    "SignInUsernameError413",
    "SignInUsernameError413Code",
    "SignInUsernameError415",
    "SignInUsernameError415Code",
    "SignInUsernameError422",
    "SignInUsernameError422Code",
    "SignInUsernameError429",
    "SignInUsernameError429Code",
    "SignInUsernameError503",
    "SignInUsernameError503Code",
    "SignOutBody",
    "SignOutError400",
    "SignOutError400Code",
    "SignOutError403",
    "SignOutError403Code",
    "SignOutError413",
    "SignOutError413Code",
    "SignOutError415",
    "SignOutError415Code",
    "SignOutError429",
    "SignOutError429Code",
    "SignOutError503",
    "SignOutError503Code",
    "SignUpBody",
    "SignUpBodyForm",
    "SignUpEmailError400",
    "SignUpEmailError400Code",
    "SignUpEmailError403",
    "SignUpEmailError403Code",
    "SignUpEmailError413",
    "SignUpEmailError413Code",
    "SignUpEmailError415",
    "SignUpEmailError415Code",
    "SignUpEmailError422",
    "SignUpEmailError422Code",
    "SignUpEmailError429",
    "SignUpEmailError429Code",
    "SignUpEmailError503",
    "SignUpEmailError503Code",
    "SignUpError400",
    "SignUpError400Code",
    "SignUpError403",
    "SignUpError403Code",
    "SignUpError413",
    "SignUpError413Code",
    "SignUpError415",
    "SignUpError415Code",
    "SignUpError422",
    "SignUpError422Code",
    "SignUpError429",
    "SignUpError429Code",
    "SignUpError503",
    "SignUpError503Code",
    "SignUpResponse",
    "StatusResponse",
    "SuccessResponse",
    "User",
    "VerifyDeleteError401",
    "VerifyDeleteError401Code",
    "VerifyDeleteError503",
    "VerifyDeleteError503Code",
    "VerifyGetError401",
    "VerifyGetError401Code",
    "VerifyGetError503",
    "VerifyGetError503Code",
    "VerifyHeadError401",
    "VerifyHeadError401Code",
    "VerifyHeadError503",
    "VerifyHeadError503Code",
    "VerifyOptionsError401",
    "VerifyOptionsError401Code",
    "VerifyOptionsError503",
    "VerifyOptionsError503Code",
    "VerifyPatchError401",
    "VerifyPatchError401Code",
    "VerifyPatchError503",
    "VerifyPatchError503Code",
    "VerifyPostError401",
    "VerifyPostError401Code",
    "VerifyPostError503",
    "VerifyPostError503Code",
    "VerifyPutError401",
    "VerifyPutError401Code",
    "VerifyPutError503",
    "VerifyPutError503Code",
)
