"""The benchmark's floor: one Streamlit page with one small plotly chart, run in the app's own shell and front."""
import plotly.graph_objects as go
import streamlit as st

st.title("Floor page")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])), width="stretch")
